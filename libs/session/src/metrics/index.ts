/**
 * `@nest-hive/session/metrics`: Prometheus metrics of the session store (latency and errors per
 * operation, session count). Needs `prom-client`, an optional peer dependency that nothing else of
 * this package loads.
 *
 * @packageDocumentation
 */
export { SessionMetricsModule } from './session-metrics.module.js';
export { type SessionMetricsModuleOptions } from './session-metrics.options.js';
