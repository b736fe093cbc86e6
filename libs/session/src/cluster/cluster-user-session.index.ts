import type { UserSessionEntry, UserSessionIndex } from '../users/user-session-index.interface.js';
import type { ClusterHostLink } from './cluster-host.link.js';
import {
  MAX_REMOVED_HANDLES,
  USER_INDEX_ADD,
  USER_INDEX_LIST,
  USER_INDEX_REMOVE,
  USER_INDEX_SEEN,
} from './cluster-user-index.topics.js';

/**
 * The per-user index of a `ClusterSessionStore`: every call goes to the
 * primary, whose `MemorySessionStore` keeps the index beside the sessions, so
 * an entry goes with its session there (destroyed, expired, evicted) and every
 * worker sees the same entries.
 */
export class ClusterUserSessionIndex implements UserSessionIndex {
  /** @param link - the store's line to the primary's host. */
  constructor(private readonly link: ClusterHostLink) {}

  /** @inheritdoc */
  async add(user: string, entry: UserSessionEntry): Promise<void> {
    await this.link.request(USER_INDEX_ADD, { user, entry });
  }

  /** @inheritdoc */
  list(user: string): Promise<UserSessionEntry[]> {
    return this.link.request(USER_INDEX_LIST, { user });
  }

  /** @inheritdoc */
  async remove(user: string, handles: readonly string[]): Promise<void> {
    for (let from = 0; from < handles.length; from += MAX_REMOVED_HANDLES) {
      const part = handles.slice(from, from + MAX_REMOVED_HANDLES);
      await this.link.request(USER_INDEX_REMOVE, { user, handles: part });
    }
  }

  /** @inheritdoc */
  async seen(user: string, handle: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.link.request(USER_INDEX_SEEN, { user, handle, lastSeenAt, expiresAt });
  }
}
