import { type DynamicModule, Module } from '@nestjs/common';
import { CLUSTER_MONITOR_OPTIONS, type ClusterMonitorModuleOptions } from './cluster-monitor.options.js';
import { ClusterMonitorService } from './cluster-monitor.service.js';

/**
 * Live per-worker figures, `pm2 monit`-style, with no dependency: import it in the worker app next
 * to `ClusterModule` and serve `ClusterMonitorService.snapshot()` where you like (the demo's
 * console plots it).
 *
 * @example
 * ```ts
 * @Module({ imports: [ClusterModule.forRoot(), ClusterMonitorModule.forRoot()] })
 * export class AppModule {}
 * ```
 */
@Module({})
export class ClusterMonitorModule {
  /** The module with these options (all optional). */
  static forRoot(options: ClusterMonitorModuleOptions = {}): DynamicModule {
    return {
      module: ClusterMonitorModule,
      providers: [{ provide: CLUSTER_MONITOR_OPTIONS, useValue: options }, ClusterMonitorService],
      exports: [ClusterMonitorService],
    };
  }
}
