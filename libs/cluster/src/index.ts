/**
 * `@nest-hive/cluster`: Node's `cluster` as a first-class NestJS citizen. A bootstrap helper that
 * forks and supervises workers, and a `ClusterModule` whose IPC is injectable, typed RxJS streams.
 *
 * @packageDocumentation
 */

/** Version of the `@nest-hive/cluster` package. */
export const CLUSTER_PACKAGE_VERSION = '0.1.0';

// Bootstrap
export { bootstrapCluster } from './bootstrap/bootstrap-cluster.js';
export {
  type ClusterBootstrapOptions,
  type RestartOptions,
  DEFAULT_CLUSTER_OPTIONS,
  DEFAULT_RESTART_OPTIONS,
} from './bootstrap/bootstrap.options.js';
export {
  type ClusterHandle,
  type PrimaryClusterHandle,
  type WorkerClusterHandle,
} from './bootstrap/cluster-handle.js';
export { PrimaryRuntime } from './bootstrap/primary-runtime.js';
export { type ShutdownReport } from './supervisor/cluster-controller.interface.js';
export { type RestartPolicyOptions } from './supervisor/restart-policy.js';
export { type Serialization } from './ipc/message-codec.js';

// Process
export {
  type ClusterEnvironment,
  getClusterEnvironment,
  getPrimaryRuntime,
  getProcessMessaging,
} from './process-state.js';
export { attachPrimaryExtension, type PrimaryExtensionModule } from './bootstrap/primary-extensions.js';
export {
  CLUSTER_ENV,
  PRIMARY_ADDRESS,
  LOOPBACK_WORKER_ID,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './cluster.constants.js';

// Nest module
export { ClusterModule } from './cluster.module.js';
export {
  type ClusterModuleOptions,
  type ClusterModuleExtras,
  CLUSTER_MODULE_OPTIONS,
} from './cluster.module-definition.js';
export { ClusterService } from './cluster.service.js';
export { OnClusterMessage, ClusterRequestHandler, type TypedMethodDecorator } from './cluster.decorators.js';

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
  type ClusterMessageKind,
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
export {
  type ClusterEvent,
  type ClusterEventType,
  type ClusterSimpleEvent,
  type ClusterListeningEvent,
  type ClusterExitEvent,
  type ClusterCrashLoopEvent,
  type WorkerExitReason,
} from './supervisor/cluster-event.js';

// Transport
export {
  ClusterTransport,
  type BroadcastPacket,
  type ClusterTransportContext,
  type ClusterTransportFactory,
} from './transport/cluster-transport.js';

// Errors
export {
  ClusterError,
  InvalidClusterOptionsError,
  ClusterStateError,
  ClusterTimeoutError,
  WorkerUnavailableError,
  PrimaryUnavailableError,
  WorkerExitedError,
  RemoteError,
  NoHandlerError,
  DuplicateHandlerError,
  QueueFullError,
  MessageTooLargeError,
  MessageSerializationError,
  PayloadValidationError,
  MalformedEnvelopeError,
  ClusterClosedError,
  ReadyTimeoutError,
  WorkerStartError,
  RollingRestartError,
  CrashLoopError,
  TransportUnavailableError,
} from './cluster.errors.js';
