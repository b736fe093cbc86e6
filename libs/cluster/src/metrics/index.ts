/**
 * `@nest-hive/cluster/metrics`: Prometheus metrics of the whole cluster, served by any worker.
 * prom-client's cluster aggregation carried over the cluster's IPC: the primary gathers every
 * process' metrics, the worker that serves the scrape merges them. Needs `prom-client`, an
 * optional peer dependency that nothing else of this package loads.
 *
 * @packageDocumentation
 */
export { ClusterMetricsModule } from './cluster-metrics.module.js';
export { ClusterMetricsService } from './cluster-metrics.service.js';
export { type ClusterMetricsModuleOptions } from './cluster-metrics.options.js';
export { type ClusterMetricsModuleExtras } from './cluster-metrics.module-definition.js';
export { clusterMetricsHost, type ClusterMetricsHostOptions } from './cluster-metrics.host.js';
