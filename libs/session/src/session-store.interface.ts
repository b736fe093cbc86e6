import type { SessionPatch, SessionRecord, StoredSessionRecord } from './session-record.interface.js';

/**
 * Where sessions live. Implement it to plug in any storage; every method may
 * reject, and the session layer turns a rejection into a 503 for requests
 * that need the session.
 *
 * A store deals in whole records and, when it implements {@link patch}, in
 * per-key patches. Stores must hand out copies: a record returned by `get`
 * must not change when the store changes.
 */
export interface SessionStore {
  /** The record, or `undefined` when absent or expired. */
  get(id: string): Promise<StoredSessionRecord | undefined>;
  /**
   * The record at once when the store holds a copy it may serve now (a read cache), else
   * `undefined`, and the session layer calls {@link get}. Never throws, never waits: a hit then
   * costs no promise, and `@Session()` hands the session over in the same tick.
   */
  getIfCached?(id: string): StoredSessionRecord | undefined;
  /** Creates or replaces the whole record, living `ttlMs` from now. */
  set(id: string, record: SessionRecord, ttlMs: number): Promise<void>;
  /**
   * Applies one request's changes key by key to an existing record and sets
   * its lifetime to `ttlMs`. Resolves `false`, changing nothing, when the
   * record no longer exists (destroyed or expired meanwhile). Stores without
   * it get the whole record through `set` (last writer wins for the record).
   */
  patch?(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean>;
  /** Deletes the record. Deleting an absent record is not an error. */
  destroy(id: string): Promise<void>;
  /**
   * Sets the lifetime of an existing record to `ttlMs` from now. `record` is
   * the session as it stands (unchanged by the request), for stores whose
   * records carry their own expiry and must be rewritten to extend it; most
   * stores ignore it.
   */
  touch(id: string, ttlMs: number, record?: SessionRecord): Promise<void>;
  /** Deletes every record of this store. */
  clear?(): Promise<void>;
  /** How many records the store holds. */
  length?(): Promise<number>;
  /**
   * Checks that the store's server answers, for the health indicator (e.g. every master of a
   * Redis Cluster). Without it, the indicator reads an id that never exists.
   */
  ping?(): Promise<void>;
  /**
   * Prepares the store (opens its file, starts its server side). `SessionModule` calls it once at
   * start-up, and a rejection stops the app's start with that error.
   */
  open?(): Promise<void>;
  /** Releases timers and connections. Called on shutdown for stores the module created. */
  close?(): Promise<void>;
}

/**
 * Injection token of the active {@link SessionStore}. Prefer
 * `@InjectSessionStore()`.
 */
export const SessionStore: unique symbol = Symbol('SessionStore');

/**
 * A {@link SessionStore} that can also answer at once, without a promise:
 * it declares the `…Now` methods, and the session layer then loads and saves
 * without waiting (`@Session()` hands the session over in the same tick, and
 * the response goes out as soon as the handler is done). Each `…Now` method
 * does what its namesake does; a failure is thrown. Its promise methods must
 * give the same results as the `…Now` ones (delegating to them is simplest).
 *
 * @example
 * ```ts
 * class MapStore implements ImmediateSessionStore {
 *   private readonly records = new Map<string, StoredSessionRecord>();
 *   getNow(id: string) { return structuredClone(this.records.get(id)); }
 *   async get(id: string) { return this.getNow(id); }
 *   // …and setNow/set, patchNow/patch, touchNow/touch, destroy likewise.
 * }
 * ```
 */
export interface ImmediateSessionStore extends SessionStore {
  /** {@link SessionStore.get}, at once. */
  getNow(id: string): StoredSessionRecord | undefined;
  /** {@link SessionStore.set}, at once. */
  setNow(id: string, record: SessionRecord, ttlMs: number): void;
  /** {@link SessionStore.patch}, at once: `false`, changing nothing, when the record no longer exists. */
  patchNow(id: string, patch: SessionPatch, ttlMs: number): boolean;
  /** {@link SessionStore.touch}, at once (such a store never needs the record to extend it). */
  touchNow(id: string, ttlMs: number): void;
}

/**
 * Whether `store` declares the {@link ImmediateSessionStore} methods (all four
 * `…Now` methods are functions). Checked once, when the module starts.
 */
export function isImmediateSessionStore(store: SessionStore): store is ImmediateSessionStore {
  const candidate = store as Partial<ImmediateSessionStore>;
  return (
    typeof candidate.getNow === 'function' &&
    typeof candidate.setNow === 'function' &&
    typeof candidate.patchNow === 'function' &&
    typeof candidate.touchNow === 'function'
  );
}
