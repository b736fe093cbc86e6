/**
 * `@nest-hive/cluster`: Node's `cluster` as a first-class NestJS citizen. A bootstrap helper that
 * forks and supervises workers, and a `ClusterModule` whose IPC is injectable, typed RxJS streams.
 *
 * Subpaths: `@nest-hive/cluster/redis` (broadcasts over Redis pub/sub),
 * `@nest-hive/cluster/environment` (where this process stands, without the runtime),
 * `@nest-hive/cluster/extensions` (the IPC for other libraries) and `@nest-hive/cluster/socket.io`
 * (socket.io gateways on the cluster).
 *
 * @packageDocumentation
 */

// Bootstrap
export { bootstrapCluster } from './bootstrap/bootstrap-cluster.js';
export {
  type ClusterBootstrapOptions,
  type RestartOptions,
  DEFAULT_CLUSTER_OPTIONS,
} from './bootstrap/bootstrap.options.js';
export {
  type ClusterHandle,
  type PrimaryClusterHandle,
  type WorkerClusterHandle,
} from './bootstrap/cluster-handle.js';
export { type PrimaryRuntime } from './bootstrap/primary-runtime.interface.js';
export { type RecycleOptions, type RecycleReason } from './bootstrap/recycle.options.js';
export { type ShutdownReport } from './supervisor/cluster-controller.interface.js';
export { type Serialization } from './ipc/message-codec.js';

// Process (where this process stands: `@nest-hive/cluster/environment`, its one home)
export { getPrimaryRuntime } from './process-state.js';

// Nest module
export { ClusterModule } from './cluster.module.js';
export { type ClusterModuleOptions, CLUSTER_MODULE_OPTIONS } from './cluster.module-definition.js';
export { ClusterService } from './cluster.service.js';
export { OnClusterMessage, ClusterRequestHandler } from './cluster.decorators.js';

// Messaging
export { type ClusterMessaging } from './messaging/cluster-messaging.interface.js';
export {
  type ClusterTopic,
  type TopicOptions,
  type TopicLike,
  type PayloadOf,
  type ReplyOf,
  defineTopic,
} from './messaging/topic.js';
export { type ClusterHandlerResult, type ClusterRequestHandlerFn } from './messaging/handler-registry.js';
export {
  type Address,
  type BroadcastOptions,
  type ClusterMessage,
  type ClusterMessageContext,
  type ClusterMode,
  type ClusterSelf,
  type ClusterTopicMessage,
  type RequestOptions,
  type SendOptions,
  type WorkerInfo,
  type WorkerState,
  type WorkersSnapshot,
} from './cluster.interfaces.js';

// Lifecycle
export { type ClusterEvent, type WorkerExitReason } from './wire/cluster-event.js';

// Broadcast transport
export {
  BroadcastTransport,
  type BroadcastPacket,
  type BroadcastTransportContext,
  type BroadcastTransportFactory,
  type BroadcastTransportStats,
  type BroadcastTransportStatus,
} from './transport/broadcast-transport.js';

// Errors: every class of cluster.errors.ts, which gathers the public errors by area (a test pins the list)
export * from './cluster.errors.js';
