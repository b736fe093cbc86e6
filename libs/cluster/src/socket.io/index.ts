/**
 * `@nest-hive/cluster/socket.io`: socket.io gateways under `bootstrapCluster`. Needs the optional
 * peers `socket.io`, `socket.io-adapter`, `@nestjs/websockets` and `@nestjs/platform-socket.io`;
 * an app that does not import this subpath does not need them.
 *
 * @packageDocumentation
 */
export { ClusterIoAdapter } from './cluster-io.adapter.js';
export { type ClusterIoAdapterOptions, DEFAULT_CLUSTER_IO_OPTIONS } from './cluster-io.options.js';
export { type EventRateLimit } from './event-rate-limit.js';
