/**
 * `@nest-hive/cluster/leader`: one leader for the cluster, or for a fleet with a lease in Redis,
 * and `@LeaderOnly()` for run-once jobs (`@nestjs/schedule`'s `@Cron`, `@Interval`).
 *
 * @packageDocumentation
 */
export { ClusterLeaderModule } from './cluster-leader.module.js';
export { ClusterLeaderService } from './cluster-leader.service.js';
export { LeaderOnly } from './leader-only.decorator.js';
export { clusterLeaderHost } from './cluster-leader.host.js';
export { type ClusterLeaderModuleOptions, type LeaderRedisOptions } from './leader.options.js';
export { type LeaderInfo } from './leader.topics.js';
