import type { PrimaryRuntime } from '@nest-hive/cluster';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import {
  SESSION_CLEAR,
  SESSION_DESTROY,
  SESSION_GET,
  SESSION_LENGTH,
  SESSION_PATCH,
  SESSION_SET,
  SESSION_TOUCH,
  type ClusterSessionHostOptions,
} from './cluster-session.topics.js';

/**
 * Hosts the cluster's shared session store in the primary: a
 * `MemorySessionStore` (TTLs, sweep, `maxSessions` bound, per-key patches)
 * answering every worker over IPC. The primary loads this on the first
 * worker's request; sessions then outlive any worker, and end with the
 * primary.
 */
export function attachToPrimary(runtime: PrimaryRuntime, options: unknown): void {
  const settings = (
    typeof options === 'object' && options !== null ? options : {}
  ) as ClusterSessionHostOptions;
  const store = new MemorySessionStore(settings.memoryStore);
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
}
