import { SessionError } from '../session.errors.js';

/** Redis is known to be unreachable (the connection failed and is being re-established). */
export class RedisUnavailableError extends SessionError {
  override readonly name = 'RedisUnavailableError';
  constructor() {
    super('Redis is unreachable; the client is reconnecting.');
  }
}

/** The store could not finish a Redis call in time. */
export class RedisOperationTimeoutError extends SessionError {
  override readonly name = 'RedisOperationTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms (is the server reachable?).`);
  }
}

/**
 * With `durableWrites`, a write reached the master but not enough replicas in time, so it may be
 * lost in a failover: the request fails (503) instead of acknowledging it.
 */
export class RedisWriteNotReplicatedError extends SessionError {
  override readonly name = 'RedisWriteNotReplicatedError';
  constructor(
    readonly replicated: number,
    readonly required: number,
    readonly timeoutMs: number,
  ) {
    super(
      `A session write reached ${replicated} of the ${required} replica(s) it needs within ` +
        `${timeoutMs} ms (durableWrites); it was not acknowledged.`,
    );
  }
}
