/**
 * `@nest-hive/cluster/monitor`: live per-worker figures (RSS and heap, CPU %, event-loop lag p99,
 * requests per second) over the last minute, `pm2 monit`-style, asked of every worker over IPC.
 *
 * @packageDocumentation
 */
export { ClusterMonitorModule } from './cluster-monitor.module.js';
export { ClusterMonitorService } from './cluster-monitor.service.js';
export { type ClusterMonitorModuleOptions } from './cluster-monitor.options.js';
export { type ClusterMonitorSnapshot, type MonitoredWorker, type ProcessSample } from './process-sample.js';
