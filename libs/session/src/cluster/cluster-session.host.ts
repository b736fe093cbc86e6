import { type PrimaryRuntime } from '@nest-hive/cluster';
import { definePrimaryHost } from '@nest-hive/cluster/extensions';
import { isPlainObject, optional, shape } from '../core/guards.js';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import type { MemorySessionStoreOptions } from '../stores/memory-session-store.options.js';
import type { MemoryUserSessionIndex } from '../users/memory-user-session.index.js';
import {
  SESSION_CLEAR,
  SESSION_DESTROY,
  SESSION_GET,
  SESSION_LENGTH,
  SESSION_PATCH,
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
  /** Settings of the primary's `MemorySessionStore`. */
  readonly memoryStore?: MemorySessionStoreOptions;
}

const isMemoryStoreOptions = (value: unknown): value is MemorySessionStoreOptions => isPlainObject(value);

function attach(runtime: PrimaryRuntime, options: ClusterSessionHostOptions): void {
  const store = new MemorySessionStore(options.memoryStore);
  runtime.handle(SESSION_GET, async ({ id }) => (await store.get(id)) ?? null);
  runtime.handle(SESSION_SET, async ({ id, record, ttlMs }) => {
    await store.set(id, record, ttlMs);
    return null;
  });
  runtime.handle(SESSION_PATCH, ({ id, patch, ttlMs }) => store.patch(id, patch, ttlMs));
  runtime.handle(SESSION_DESTROY, async ({ id }) => {
    await store.destroy(id);
    return null;
  });
  runtime.handle(SESSION_TOUCH, async ({ id, ttlMs }) => {
    await store.touch(id, ttlMs);
    return null;
  });
  runtime.handle(SESSION_CLEAR, async () => {
    await store.clear();
    return null;
  });
  runtime.handle(SESSION_LENGTH, () => store.length());
  attachUserIndex(runtime, store.userIndex);
}

/** Answers the index topics from the store's own index, so entries go with their sessions. */
function attachUserIndex(runtime: PrimaryRuntime, index: MemoryUserSessionIndex): void {
  runtime.handle(USER_INDEX_ADD, ({ user, entry }) => {
    index.addNow(user, entry);
    return null;
  });
  runtime.handle(USER_INDEX_LIST, ({ user }) => index.listNow(user));
  runtime.handle(USER_INDEX_REMOVE, ({ user, handles }) => {
    index.removeNow(user, handles);
    return null;
  });
  runtime.handle(USER_INDEX_SEEN, ({ user, handle, lastSeenAt, expiresAt }) => {
    index.seenNow(user, handle, lastSeenAt, expiresAt);
    return null;
  });
}

/**
 * The primary side of `ClusterSessionStore`: a `MemorySessionStore` (TTLs, sweep, `maxSessions`
 * bound, per-key patches, per-user index) held by the primary and answering every worker over IPC. Sessions then
 * outlive any worker, and end with the primary.
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
  isOptions: shape<ClusterSessionHostOptions>({ memoryStore: optional(isMemoryStoreOptions) }),
  attach,
});
