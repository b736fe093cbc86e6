import { type DynamicModule, Module } from '@nestjs/common';
import { CLUSTER_LEADER_OPTIONS, ClusterLeaderService } from './cluster-leader.service.js';
import { type ClusterLeaderModuleOptions, resolveLeaderOptions } from './leader.options.js';

/**
 * One leader for the cluster, or for a fleet of machines with Redis: import it in the worker app
 * next to `ClusterModule`, then mark run-once jobs with `@LeaderOnly()` or read
 * `ClusterLeaderService.isLeader`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     ClusterModule.forRoot(),
 *     ScheduleModule.forRoot(),
 *     ClusterLeaderModule.forRoot({ redis: { sentinels: ['10.0.0.1:26379'], sentinelName: 'main' } }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class ClusterLeaderModule {
  /**
   * The module with these options (all optional).
   *
   * @throws TypeError naming the fix, for a bad option.
   */
  static forRoot(options: ClusterLeaderModuleOptions = {}): DynamicModule {
    return {
      module: ClusterLeaderModule,
      providers: [
        { provide: CLUSTER_LEADER_OPTIONS, useValue: resolveLeaderOptions(options) },
        ClusterLeaderService,
      ],
      exports: [ClusterLeaderService],
    };
  }
}
