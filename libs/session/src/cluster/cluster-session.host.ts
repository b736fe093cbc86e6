import { type Address, type PrimaryRuntime } from '@nest-hive/cluster';
import { definePrimaryHost } from '@nest-hive/cluster/extensions';
import { isPlainObject, optional, shape } from '../core/guards.js';
import { FileSessionStore } from '../stores/file/file-session.store.js';
import type { FileSessionStoreOptions } from '../stores/file/file-session-store.options.js';
import { SessionFileError } from '../stores/file/session-file.errors.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';
import type { UserSessionIndex } from '../users/user-session-index.interface.js';
import { CacheHolders } from './cache-holders.js';
import {
  SESSION_CACHE_LEASE,
  SESSION_CLEAR,
  SESSION_DESTROY,
  SESSION_GET,
  SESSION_LENGTH,
  SESSION_PATCH,
  SESSION_PING,
  SESSION_SET,
  SESSION_TOUCH,
} from './cluster-session.topics.js';
import {
  USER_INDEX_ADD,
  USER_INDEX_LIST,
  USER_INDEX_REMOVE,
  USER_INDEX_SEEN,
} from './cluster-user-index.topics.js';

/** Options the first worker hands to the primary's store. */
export interface ClusterSessionHostOptions {
  /** Memory settings of the primary's store (`maxSessions`, `sweepIntervalMs`). */
  readonly memoryStore?: MemorySessionStoreOptions;
  /** The file the primary keeps the sessions in (a `FileSessionStore`); without it, memory only. */
  readonly file?: FileSessionStoreOptions;
}

const isPlainOptions = (value: unknown): value is MemorySessionStoreOptions => isPlainObject(value);
const isFileOptions = (value: unknown): value is FileSessionStoreOptions =>
  isPlainObject(value) && typeof value.path === 'string';

/** The primary's store: in a file when one is named (opened now, closed with the primary), else in memory. */
async function openStore(
  runtime: PrimaryRuntime,
  options: ClusterSessionHostOptions,
): Promise<MemorySessionStore | FileSessionStore> {
  const store = options.file
    ? new FileSessionStore({ ...options.memoryStore, ...options.file })
    : new MemorySessionStore(options.memoryStore);
  if (store instanceof FileSessionStore) {
    try {
      await store.open();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  runtime.onClose(() => store.close());
  return store;
}

async function attach(runtime: PrimaryRuntime, options: ClusterSessionHostOptions): Promise<void> {
  const store = await openStore(runtime, options);
  const holders = new CacheHolders({ messaging: runtime.messaging });
  const exits = runtime.events$.subscribe((event) => {
    if (event.type === 'exit') holders.forget(event.workerId);
  });
  runtime.onClose(() => exits.unsubscribe());
  // Each write answers only once the workers that read the session dropped their copies, also when
  // the store failed (a failed write may have changed its memory).
  const written = async <T>(
    id: string,
    from: Address,
    write: Promise<T>,
    writerKeeps = false,
  ): Promise<T> => {
    try {
      return await write;
    } finally {
      await holders.invalidate(id, from, writerKeeps);
    }
  };
  runtime.handle(SESSION_CACHE_LEASE, ({ leaseMs, released }, { from }) => {
    if (from !== 'primary') holders.grant(from, leaseMs, released);
    return null;
  });
  runtime.handle(SESSION_GET, async ({ id }, { from }) => {
    holders.noteRead(from, id);
    return (await store.get(id)) ?? null;
  });
  runtime.handle(SESSION_SET, async ({ id, record, ttlMs }, { from }) => {
    await written(id, from, store.set(id, record, ttlMs));
    return null;
  });
  runtime.handle(SESSION_PATCH, ({ id, patch, ttlMs }, { from }) =>
    written(id, from, store.patch(id, patch, ttlMs)),
  );
  runtime.handle(SESSION_DESTROY, async ({ id }, { from }) => {
    await written(id, from, store.destroy(id));
    return null;
  });
  runtime.handle(SESSION_TOUCH, async ({ id, ttlMs }, { from }) => {
    await written(id, from, store.touch(id, ttlMs), true);
    return null;
  });
  runtime.handle(SESSION_CLEAR, async () => {
    try {
      await store.clear();
    } finally {
      await holders.invalidateAll();
    }
    return null;
  });
  runtime.handle(SESSION_LENGTH, () => store.length());
  runtime.handle(SESSION_PING, async () => {
    if (store instanceof FileSessionStore) await store.ping();
    return null;
  });
  attachUserIndex(runtime, store.userIndex);
}

/** Answers the index topics from the store's own index, so entries go with their sessions. */
function attachUserIndex(runtime: PrimaryRuntime, index: UserSessionIndex): void {
  runtime.handle(USER_INDEX_ADD, async ({ user, entry }) => {
    await index.add(user, entry);
    return null;
  });
  runtime.handle(USER_INDEX_LIST, ({ user }) => index.list(user));
  runtime.handle(USER_INDEX_REMOVE, async ({ user, handles }) => {
    await index.remove(user, handles);
    return null;
  });
  runtime.handle(USER_INDEX_SEEN, async ({ user, handle, lastSeenAt, expiresAt }) => {
    await index.seen(user, handle, lastSeenAt, expiresAt);
    return null;
  });
}

/**
 * The primary side of `ClusterSessionStore`: a `FileSessionStore` (or, with persistence off, a
 * `MemorySessionStore`: TTLs, sweep, `maxSessions` bound, per-key patches, per-user index) held by
 * the primary and answering every worker over IPC. Sessions then outlive any worker, and, kept in
 * the file, the primary too.
 *
 * The primary starts it on the first worker's request (it needs no code there), or earlier when
 * the primary attaches it itself.
 *
 * @example
 * ```ts
 * await bootstrapCluster({
 *   primary: (runtime) => runtime.attachHost(clusterSessionHost, { memoryStore: { maxSessions: 200_000 } }),
 *   worker,
 * });
 * ```
 */
export const clusterSessionHost = definePrimaryHost<ClusterSessionHostOptions>({
  specifier: '@nest-hive/session/cluster',
  exportName: 'clusterSessionHost',
  // A session file that cannot be used stays so on a retry: the cluster stops with its error.
  isFatal: (error) => error instanceof SessionFileError,
  isOptions: shape<ClusterSessionHostOptions>({
    memoryStore: optional(isPlainOptions),
    file: optional(isFileOptions),
  }),
  attach,
});
