import {
  type ClusterError,
  NoHandlerError,
  PayloadValidationError,
  PrimaryUnavailableError,
  RemoteError,
  WorkerExitedError,
  WorkerUnavailableError,
} from '../cluster.errors.js';
import { type Address } from '../cluster.interfaces.js';
import { type FailureReason, type RemoteFailure } from '../wire/envelope.types.js';

/** The `error-reply` payload describing `error`. */
export function failureOf(reason: FailureReason, error: unknown): RemoteFailure {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const stack = reason === 'handler-error' && error instanceof Error ? error.stack : undefined;
  return stack === undefined ? { reason, name, message } : { reason, name, message, stack };
}

/**
 * The named error a caller gets for an `error-reply`.
 *
 * @param failure - what the remote side reported.
 * @param topic - the request topic.
 * @param target - who was asked.
 * @param caller - who asked (the sender of a payload the target refused).
 */
export function errorOfFailure(
  failure: RemoteFailure,
  topic: string,
  target: Address,
  caller: Address,
): ClusterError {
  switch (failure.reason) {
    case 'no-handler':
      return new NoHandlerError(topic, target);
    case 'invalid-payload':
      return new PayloadValidationError(topic, caller, 'payload');
    case 'unavailable':
      return typeof target === 'number' ? new WorkerUnavailableError(target) : new PrimaryUnavailableError();
    case 'exited':
      return typeof target === 'number'
        ? new WorkerExitedError(target, topic)
        : new PrimaryUnavailableError();
    case 'handler-error':
      return new RemoteError(topic, target, failure.name, failure.message, failure.stack);
  }
}
