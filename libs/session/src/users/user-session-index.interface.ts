import type { SessionStore } from '../session-store.interface.js';

/**
 * One session as a user's index keeps it. The `sessionId` never leaves the
 * server: users and admin tools see the {@link UserSessionEntry.handle}.
 */
export interface UserSessionEntry {
  /** Opaque name of the session for users and tools (see `sessionHandle`): never the id, never a cookie. */
  handle: string;
  /** The session id, to end the session. Server side only. */
  sessionId: string;
  /** Epoch ms of the login (when the session got its user). */
  createdAt: number;
  /** Epoch ms of the last request that renewed the session (at `touchAfter` granularity). */
  lastSeenAt: number;
  /** Epoch ms when the session expires as last renewed; the entry is dropped then. */
  expiresAt: number;
  /** `User-Agent` of the login request (at most 256 characters), `''` when none. */
  userAgent: string;
}

/**
 * The sessions of each user, kept beside the sessions by a store that declares
 * it ({@link IndexedSessionStore}). Users are named by the string the module's
 * `users.userOf` gives. Every method may reject; the session layer answers 503
 * then.
 *
 * The index may briefly hold an entry whose session is gone (a crash between
 * two writes, an eviction): `UserSessions` checks every entry against the store
 * before it lists or counts it, and removes the ones that fail. An index must
 * never keep an entry past its `expiresAt`.
 */
export interface UserSessionIndex {
  /** Adds (or replaces) `entry` under `user`. */
  add(user: string, entry: UserSessionEntry): Promise<void>;
  /** The user's unexpired entries, in no particular order. */
  list(user: string): Promise<UserSessionEntry[]>;
  /** Removes these handles from the user's entries; absent ones are ignored. */
  remove(user: string, handles: readonly string[]): Promise<void>;
  /** Renews one entry (`lastSeenAt`, `expiresAt`); does nothing when it is absent, never re-adds it. */
  seen(user: string, handle: string, lastSeenAt: number, expiresAt: number): Promise<void>;
}

/**
 * A {@link SessionStore} that keeps a per-user index of its sessions, which
 * `UserSessions` (list and revoke a user's devices) and
 * `users.maxSessionsPerUser` need. Every store of nest-hive declares one.
 */
export interface IndexedSessionStore extends SessionStore {
  /** The store's per-user index. */
  readonly userIndex: UserSessionIndex;
}

/** Whether `store` declares a per-user index ({@link IndexedSessionStore}). */
export function isIndexedSessionStore(store: SessionStore): store is IndexedSessionStore {
  const index = (store as Partial<IndexedSessionStore>).userIndex;
  return (
    typeof index === 'object' &&
    index !== null &&
    typeof index.add === 'function' &&
    typeof index.list === 'function' &&
    typeof index.remove === 'function' &&
    typeof index.seen === 'function'
  );
}
