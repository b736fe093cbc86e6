import { type DynamicModule, Module } from '@nestjs/common';
import { SessionMetricsCollector } from './session-metrics.service.js';
import { SESSION_METRICS_OPTIONS, type SessionMetricsModuleOptions } from './session-metrics.options.js';

/**
 * Prometheus metrics of the session store (prom-client, an optional peer dependency), on
 * prom-client's global registry: `nest_hive_session_store_duration_seconds{operation}`,
 * `nest_hive_session_store_errors_total{operation}` and, where the store can count,
 * `nest_hive_sessions`. With `ClusterMetricsModule` of `@nest-hive/cluster/metrics` they are
 * aggregated over the cluster like every other metric.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [SessionModule.forRoot({ secret }), SessionMetricsModule.forRoot()],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class SessionMetricsModule {
  /** The module with these options (all optional). */
  static forRoot(options: SessionMetricsModuleOptions = {}): DynamicModule {
    return {
      module: SessionMetricsModule,
      providers: [{ provide: SESSION_METRICS_OPTIONS, useValue: options }, SessionMetricsCollector],
    };
  }
}
