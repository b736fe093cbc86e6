import { type DynamicModule, Module } from '@nestjs/common';
import {
  ConfigurableClusterMetricsModule,
  type ClusterMetricsModuleExtras,
} from './cluster-metrics.module-definition.js';
import { type ClusterMetricsModuleOptions } from './cluster-metrics.options.js';
import { ClusterMetricsService } from './cluster-metrics.service.js';

/**
 * Prometheus metrics of the whole cluster (prom-client, an optional peer dependency). Import it in
 * the worker app next to `ClusterModule`, and serve `ClusterMetricsService.metrics()` from a route:
 * any worker answers for every process, with no extra port.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [ClusterModule.forRoot(), ClusterMetricsModule.forRoot()],
 *   controllers: [MetricsController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [ClusterMetricsService],
  exports: [ClusterMetricsService],
})
export class ClusterMetricsModule extends ConfigurableClusterMetricsModule {
  /** The module with these options (all optional). */
  static forRoot(options: ClusterMetricsModuleOptions & ClusterMetricsModuleExtras = {}): DynamicModule {
    return super.forRoot(options);
  }
}
