/**
 * Every error `@nest-hive/cluster` raises. Each is a named class with typed context fields and a
 * message that says what to do about it. They live by area in `errors/`; this file gathers them.
 *
 * @packageDocumentation
 */
export { ClusterError } from './errors/cluster-error.js';
export {
  InvalidClusterOptionsError,
  ClusterStateError,
  ReadyTimeoutError,
  WorkerStartError,
  RollingRestartError,
  CrashLoopError,
  PortUnavailableError,
} from './errors/lifecycle.errors.js';
export {
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
  TransportUnavailableError,
  DuplicateTopicValidatorError,
} from './errors/messaging.errors.js';
