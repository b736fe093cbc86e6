import { SessionError } from '../session.errors.js';

/** The express-session store operations the adapter calls. */
export type ExpressStoreOperation = 'get' | 'set' | 'destroy' | 'touch' | 'length' | 'clear';

/**
 * An express-session store did not call back within `timeoutMs`. The request
 * that needed it gets a 503; a late answer is ignored (and logged).
 */
export class ExpressSessionStoreTimeoutError extends SessionError {
  override readonly name = 'ExpressSessionStoreTimeoutError';
  constructor(
    /** The store method that did not answer. */
    readonly operation: ExpressStoreOperation,
    /** How long the adapter waited. */
    readonly timeoutMs: number,
  ) {
    super(
      `The express-session store did not call back from ${operation}() within ${timeoutMs} ms. ` +
        'Check its connection, or raise `timeoutMs` of fromExpressSessionStore().',
    );
  }
}

/**
 * An express-session store broke its contract: it threw, called back more
 * than once, or answered something that is not a session. The request that
 * needed it gets a 503.
 */
export class ExpressSessionStoreContractError extends SessionError {
  override readonly name = 'ExpressSessionStoreContractError';
  constructor(
    /** The store method at fault. */
    readonly operation: ExpressStoreOperation,
    /** What it did wrong. */
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`The express-session store's ${operation}() ${problem}.`, cause === undefined ? {} : { cause });
  }
}
