/**
 * The callback of an express-session store method: the error, or `null` /
 * `undefined` and the answer.
 */
export type ExpressStoreCallback = (error?: unknown, value?: unknown) => void;

/**
 * What `fromExpressSessionStore()` needs of an express-session store (any
 * `Store` subclass: connect-redis, connect-pg-simple, connect-mongo,
 * express-session's `MemoryStore`…). `get`, `set` and `destroy` are required;
 * `touch`, `length` and `clear` are used when present. Typed loosely on
 * purpose, so that stores typed with `@types/express-session` fit as they are.
 */
export interface ExpressSessionStoreLike {
  get(sid: string, callback: ExpressStoreCallback): unknown;
  set(sid: string, session: never, callback?: ExpressStoreCallback): unknown;
  destroy(sid: string, callback?: ExpressStoreCallback): unknown;
  touch?(sid: string, session: never, callback?: ExpressStoreCallback): unknown;
  length?(callback: ExpressStoreCallback): unknown;
  clear?(callback?: ExpressStoreCallback): unknown;
}

/** Options of `fromExpressSessionStore()`. */
export interface ExpressSessionStoreOptions {
  /**
   * Longest wait (ms) for the store to call back. A store that does not
   * answer in time fails that request with 503; its late answer is ignored.
   * Default `2000`.
   */
  timeoutMs?: number;
}
