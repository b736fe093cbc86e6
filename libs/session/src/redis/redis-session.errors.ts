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
