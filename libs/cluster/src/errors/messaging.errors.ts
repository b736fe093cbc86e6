/**
 * Errors of messaging over IPC and the broadcast transport: sending, requests and replies,
 * payload validation, the wire format and topics.
 */
import { type Address } from '../cluster.interfaces.js';
import { ClusterError, describeAddress } from './cluster-error.js';

/** A `request()` got no reply within its timeout. */
export class ClusterTimeoutError extends ClusterError {
  /**
   * @param topic - the request topic.
   * @param target - who was asked.
   * @param timeoutMs - how long the caller waited.
   */
  constructor(
    readonly topic: string,
    readonly target: Address,
    readonly timeoutMs: number,
  ) {
    super(
      `No reply to "${topic}" from ${describeAddress(target)} within ${timeoutMs} ms. ` +
        'Make the handler answer faster or pass a larger { timeoutMs }.',
    );
  }
}

/** The target worker has exited or its IPC channel is closed, so the message could not be sent. */
export class WorkerUnavailableError extends ClusterError {
  /** @param workerId - the worker that is gone. */
  constructor(readonly workerId: number) {
    super(
      `Worker ${workerId} is not available (it exited or its IPC channel is closed). ` +
        'Pick a live worker from workers() / workers$ and retry.',
    );
  }
}

/** The primary's IPC channel is closed (the primary is gone or the worker was disconnected). */
export class PrimaryUnavailableError extends ClusterError {
  constructor() {
    super('The IPC channel to the primary is closed; this worker is shutting down and cannot send any more.');
  }
}

/** The worker a `request()` was waiting on exited before it replied. */
export class WorkerExitedError extends ClusterError {
  /**
   * @param workerId - the worker that exited.
   * @param topic - the pending request's topic.
   */
  constructor(
    readonly workerId: number,
    readonly topic: string,
  ) {
    super(
      `Worker ${workerId} exited before replying to "${topic}". ` +
        'The request may or may not have run; retry against a live worker if it is idempotent.',
    );
  }
}

/**
 * The remote handler threw; the remote error's name, message and stack are kept. The stack of
 * this error ends with the remote one, so a logged `RemoteError` shows where it failed.
 */
export class RemoteError extends ClusterError {
  /**
   * @param topic - the request topic.
   * @param remote - who ran the handler.
   * @param remoteName - `name` of the error thrown remotely.
   * @param remoteMessage - `message` of the error thrown remotely.
   * @param remoteStack - `stack` of the error thrown remotely, when it had one.
   */
  constructor(
    readonly topic: string,
    readonly remote: Address,
    readonly remoteName: string,
    readonly remoteMessage: string,
    readonly remoteStack?: string,
  ) {
    super(`The "${topic}" handler on ${describeAddress(remote)} threw ${remoteName}: ${remoteMessage}`);
    if (remoteStack)
      this.stack = `${this.stack ?? this.message}\n  on ${describeAddress(remote)}: ${remoteStack}`;
  }
}

/** Nobody at the target handles this request topic. */
export class NoHandlerError extends ClusterError {
  /**
   * @param topic - the request topic.
   * @param target - who was asked.
   */
  constructor(
    readonly topic: string,
    readonly target: Address,
  ) {
    super(
      `No handler for "${topic}" on ${describeAddress(target)}. Register one with @ClusterRequestHandler('${topic}') ` +
        'or handle() in that process, or send the request elsewhere.',
    );
  }
}

/** A second request handler was registered for a topic on the same endpoint. */
export class DuplicateHandlerError extends ClusterError {
  /** @param topic - the topic that already has a handler. */
  constructor(readonly topic: string) {
    super(
      `A request handler for "${topic}" is already registered here; a topic has exactly one request handler.`,
    );
  }
}

/** The send queue to a peer is full because the channel has not drained; the message was refused. */
export class QueueFullError extends ClusterError {
  /**
   * @param target - the peer whose queue is full.
   * @param limit - the configured `maxQueuedMessages`.
   */
  constructor(
    readonly target: Address,
    readonly limit: number,
  ) {
    super(
      `The send queue to ${describeAddress(target)} holds ${limit} messages and the channel has not drained. ` +
        'Slow down, await your sends, or raise maxQueuedMessages.',
    );
  }
}

/** A message is larger than `maxMessageBytes` once serialized; it was refused. */
export class MessageTooLargeError extends ClusterError {
  /**
   * @param topic - the message topic.
   * @param bytes - the serialized size.
   * @param limit - the configured `maxMessageBytes`.
   */
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `The "${topic}" message is ${bytes} bytes once serialized, over the ${limit}-byte limit. ` +
        'Send a smaller payload (e.g. a key to fetch) or raise maxMessageBytes.',
    );
  }
}

/** A payload could not be serialized (a cycle, a BigInt with JSON serialization, a function...). */
export class MessageSerializationError extends ClusterError {
  /** @param topic - the message topic. */
  constructor(
    readonly topic: string,
    options?: ErrorOptions,
  ) {
    super(
      `The "${topic}" payload cannot be serialized for IPC. Send plain data ` +
        "(or use serialization: 'advanced' for Maps, Dates, BigInts...).",
      options,
    );
  }
}

/** A payload (or reply) failed the validator of its topic; it was dropped. */
export class PayloadValidationError extends ClusterError {
  /**
   * @param topic - the topic whose validator refused the value.
   * @param from - the sender.
   * @param part - whether the payload or a reply failed.
   */
  constructor(
    readonly topic: string,
    readonly from: Address,
    readonly part: 'payload' | 'reply',
  ) {
    super(
      `A ${part} for "${topic}" from ${describeAddress(from)} failed the topic's validator and was dropped. ` +
        'Check that both sides use the same topic definition.',
    );
  }
}

/** A message claimed the `nest-hive` namespace but is not a valid envelope; it was dropped. */
export class MalformedEnvelopeError extends ClusterError {
  /**
   * @param reason - what is wrong with it.
   * @param sender - the process it came from, when known.
   */
  constructor(
    readonly reason: string,
    readonly sender: Address | null,
  ) {
    super(
      `Dropped a malformed nest-hive IPC envelope${sender === null ? '' : ` from ${describeAddress(sender)}`}: ${reason}. ` +
        'Only @nest-hive/cluster should send messages with ns "nest-hive".',
    );
  }
}

/** The `ClusterService` (or runtime) was closed while the operation was pending. */
export class ClusterClosedError extends ClusterError {
  /** @param topic - the topic of the operation that was cut short. */
  constructor(readonly topic: string) {
    super(`The cluster endpoint closed before "${topic}" completed (the application is shutting down).`);
  }
}

/** The broadcast transport could not send a broadcast (e.g. Redis is down); nothing was sent. */
export class TransportUnavailableError extends ClusterError {
  /**
   * @param topic - the topic of the broadcast.
   * @param transport - which transport failed, e.g. `Redis`.
   * @param cause - the transport's own error.
   */
  constructor(
    readonly topic: string,
    readonly transport: string,
    cause: unknown,
  ) {
    super(
      `Could not broadcast "${topic}": the ${transport} transport failed ` +
        `(${cause instanceof Error ? cause.message : String(cause)}). Nothing was sent; retry once it is reachable.`,
      { cause },
    );
  }
}

/**
 * Two different payload validators were given for one topic name on the same endpoint. A topic
 * name has one validator, so every payload under it is checked once and the same way.
 */
export class DuplicateTopicValidatorError extends ClusterError {
  /** @param topic - the topic name claimed by two validators. */
  constructor(readonly topic: string) {
    super(
      `Two different payload validators were given for the topic "${topic}". Define the topic once ` +
        'with defineTopic() and import that definition wherever it is used.',
    );
  }
}
