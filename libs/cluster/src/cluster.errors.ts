/**
 * Every error `@nest-hive/cluster` raises, in one place. Each is a named class with typed
 * context fields and a message that says what to do about it.
 *
 * @packageDocumentation
 */
import { type Address } from './cluster.interfaces.js';

function describe(address: Address): string {
  return address === 'primary' ? 'the primary' : `worker ${address}`;
}

/** Base class of every error of this library; `instanceof ClusterError` catches them all. */
export class ClusterError extends Error {
  /** @param message - what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The options given to `bootstrapCluster` or `ClusterModule.forRoot` are invalid. */
export class InvalidClusterOptionsError extends ClusterError {
  /**
   * @param option - the offending option path, e.g. `restart.factor`.
   * @param problem - why the value is rejected.
   */
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`Invalid cluster option "${option}": ${problem}. Fix the value passed to bootstrapCluster().`);
  }
}

/** An API was called in a process or mode where it cannot work (e.g. `rollingRestart()` with `workers: 0`). */
export class ClusterStateError extends ClusterError {}

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
      `No reply to "${topic}" from ${describe(target)} within ${timeoutMs} ms. ` +
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
    super(`The "${topic}" handler on ${describe(remote)} threw ${remoteName}: ${remoteMessage}`);
    if (remoteStack) this.stack = `${this.stack ?? this.message}\n  on ${describe(remote)}: ${remoteStack}`;
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
      `No handler for "${topic}" on ${describe(target)}. Register one with @ClusterRequestHandler('${topic}') ` +
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
      `The send queue to ${describe(target)} holds ${limit} messages and the channel has not drained. ` +
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
      `A ${part} for "${topic}" from ${describe(from)} failed the topic's validator and was dropped. ` +
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
      `Dropped a malformed nest-hive IPC envelope${sender === null ? '' : ` from ${describe(sender)}`}: ${reason}. ` +
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

/** A worker did not become ready within `readyTimeoutMs`. */
export class ReadyTimeoutError extends ClusterError {
  /**
   * @param slot - the slot of the worker.
   * @param timeoutMs - the configured `readyTimeoutMs`.
   */
  constructor(
    readonly slot: number,
    readonly timeoutMs: number,
  ) {
    super(
      `The worker in slot ${slot} did not become ready within ${timeoutMs} ms. ` +
        'Make the worker() factory resolve sooner (after app.listen()) or raise readyTimeoutMs.',
    );
  }
}

/** A worker exited before it became ready. */
export class WorkerStartError extends ClusterError {
  /**
   * @param slot - the slot of the worker.
   * @param workerId - the worker that exited.
   * @param code - its exit code.
   * @param signal - the signal that killed it.
   */
  constructor(
    readonly slot: number,
    readonly workerId: number,
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(
      `Worker ${workerId} (slot ${slot}) exited before it was ready (code ${code}, signal ${signal}). ` +
        'Look at its log: the worker() factory threw or the process crashed while starting.',
    );
  }
}

/** A rolling restart stopped because a replacement never became ready; the old worker keeps serving. */
export class RollingRestartError extends ClusterError {
  /**
   * @param slot - the slot whose replacement failed.
   * @param cause - why it failed.
   */
  constructor(
    readonly slot: number,
    cause: unknown,
  ) {
    super(
      `Rolling restart stopped at slot ${slot}: the replacement did not become ready, so the old worker keeps ` +
        'serving and later slots were not restarted. Fix the new code and send the reload signal again.',
      { cause },
    );
  }
}

/** Every slot is in a crash loop: no worker is left. */
export class CrashLoopError extends ClusterError {
  /**
   * @param slots - the number of dead slots.
   * @param lastFailure - why the last worker failed, e.g. `worker 12 (slot 1) threw Error: ...`.
   */
  constructor(
    readonly slots: number,
    readonly lastFailure: string,
  ) {
    super(
      `All ${slots} worker slot(s) are in a crash loop and were given up; the primary exits with code 1. ` +
        `Last failure: ${lastFailure}. Fix it and start again.`,
    );
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
