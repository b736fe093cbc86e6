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
  /** Releases timers and connections. Called on shutdown for stores the module created. */
  close?(): Promise<void>;
}

/**
 * Injection token of the active {@link SessionStore}. Prefer
 * `@InjectSessionStore()`.
 */
export const SessionStore: unique symbol = Symbol('SessionStore');
