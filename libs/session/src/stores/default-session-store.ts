import type { SessionModuleOptions } from '../session-options.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import { MemorySessionStore } from './memory-session.store.js';

/**
 * Whether this process is a worker forked by `bootstrapCluster`. Asked of the small
 * `@nest-hive/cluster/environment` entry point (no cluster runtime is loaded), and `false` when
 * `@nest-hive/cluster`, an optional peer dependency, is not installed.
 */
async function isClusteredWorker(): Promise<boolean> {
  const environment = await import('@nest-hive/cluster/environment').catch(() => undefined);
  return environment?.getClusterEnvironment().clustered ?? false;
}

/**
 * The store used when the options name none: in a worker forked by
 * `bootstrapCluster`, the store the primary shares with every worker, kept
 * in a file unless `persistence` is `false` (loaded on demand from
 * `@nest-hive/session/cluster`); in one process, a `MemorySessionStore`.
 */
export async function createDefaultSessionStore(
  options: Pick<SessionModuleOptions, 'memoryStore' | 'persistence'>,
): Promise<SessionStore> {
  if (await isClusteredWorker()) {
    const { ClusterSessionStore } = await import('../cluster/index.js');
    return new ClusterSessionStore({ memoryStore: options.memoryStore, persistence: options.persistence });
  }
  return new MemorySessionStore(options.memoryStore);
}
