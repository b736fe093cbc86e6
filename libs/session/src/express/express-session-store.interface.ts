import type { IndexedSessionStore } from '../users/user-session-index.interface.js';

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
   * The nest-hive store that keeps, beside the express-session store, what it
   * cannot: the per-user index (`UserSessions`) and a mark for each session
   * destroyed (so a save that lands after a logout never brings it back).
   * Default: the primary's store under `bootstrapCluster`, else this
   * process's memory. With several machines, give a shared one, e.g.
   * `new RedisSessionStore({ client, prefix: 'sess-index:' })`.
   */
  indexStore?: IndexedSessionStore;
  /** How long (ms) a destroyed session stays marked. Default one hour. */
  tombstoneTtlMs?: number;
  /**
   * Longest wait (ms) for the store to call back. A store that does not
   * answer in time fails that request with 503; its late answer is ignored.
   * Default `2000`.
   */
  timeoutMs?: number;
}
