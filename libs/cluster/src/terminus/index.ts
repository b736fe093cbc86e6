/**
 * `@nest-hive/cluster/terminus`: a `@nestjs/terminus` health indicator for the cluster (ready
 * workers against the number wanted, given-up slots). Needs `@nestjs/terminus`, an optional peer
 * dependency that nothing else of this package loads.
 *
 * @packageDocumentation
 */
export { ClusterHealthModule } from './cluster-health.module.js';
export { ClusterHealthIndicator } from './cluster-health.indicator.js';
export { type ClusterHealthOptions } from './cluster-health.options.js';
