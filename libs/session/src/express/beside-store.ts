import { createDefaultSessionStore } from '../stores/default-session-store.js';
import { InvalidSessionOptionsError } from '../session.errors.js';
import {
  isIndexedSessionStore,
  type IndexedSessionStore,
  type UserSessionEntry,
  type UserSessionIndex,
} from '../users/user-session-index.interface.js';

/** Default time a destroyed session stays marked: longer than any request that could still save it. */
export const DEFAULT_TOMBSTONE_TTL_MS = 60 * 60 * 1000;

/**
 * What `fromExpressSessionStore()` keeps beside an express-session store,
 * which can hold neither: the per-user index, and a mark (a tombstone) for
 * every session it destroyed, so that a save landing after the destroy
 * never brings the session back. Both live in a nest-hive store: the one
 * given, else the default for where the app runs (the primary's, under
 * `bootstrapCluster`; this process's memory otherwise), made on first use.
 */
export class BesideStore {
  private store: Promise<IndexedSessionStore> | undefined;
  /** The index, delegating to the store beside. */
  readonly index: UserSessionIndex;

  /**
   * @param given - the store to keep them in, if the application named one.
   * @param tombstoneTtlMs - how long a destroyed session stays marked.
   */
  constructor(
    private readonly given: IndexedSessionStore | undefined,
    private readonly tombstoneTtlMs: number,
  ) {
    const store = (): Promise<IndexedSessionStore> => this.resolved();
    this.index = {
      add: async (user: string, entry: UserSessionEntry) => (await store()).userIndex.add(user, entry),
      list: async (user: string) => (await store()).userIndex.list(user),
      remove: async (user: string, handles: readonly string[]) =>
        (await store()).userIndex.remove(user, handles),
      seen: async (user: string, handle: string, lastSeenAt: number, expiresAt: number) =>
        (await store()).userIndex.seen(user, handle, lastSeenAt, expiresAt),
    };
  }

  /** Marks session `id` as destroyed. */
  async markEnded(id: string): Promise<void> {
    const now = Date.now();
    await (await this.resolved()).set(id, { data: {}, createdAt: now }, this.tombstoneTtlMs);
  }

  /** Whether session `id` was destroyed within the tombstone lifetime. */
  async hasEnded(id: string): Promise<boolean> {
    return (await (await this.resolved()).get(id)) !== undefined;
  }

  /** Closes the store beside when it was made here. */
  async close(): Promise<void> {
    if (this.given || !this.store) return;
    await (await this.store).close?.();
  }

  private resolved(): Promise<IndexedSessionStore> {
    this.store ??= this.given ? Promise.resolve(this.given) : madeStore();
    return this.store;
  }
}

async function madeStore(): Promise<IndexedSessionStore> {
  const store = await createDefaultSessionStore({});
  if (!isIndexedSessionStore(store)) throw new Error('The default session store keeps no per-user index.');
  return store;
}

/** Checks option `indexStore` of `fromExpressSessionStore()`. */
export function checkedIndexStore(store: unknown): IndexedSessionStore | undefined {
  if (store === undefined) return undefined;
  const candidate = store as IndexedSessionStore;
  if (typeof store !== 'object' || store === null || !isIndexedSessionStore(candidate)) {
    throw new InvalidSessionOptionsError(
      'indexStore',
      'of fromExpressSessionStore() must be a nest-hive store with a per-user index ' +
        "(e.g. new RedisSessionStore({ client, prefix: 'sess-index:' })).",
    );
  }
  return candidate;
}
