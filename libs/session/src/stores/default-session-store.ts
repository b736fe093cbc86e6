import type { SessionModuleOptions } from '../session-options.interface.js';
import type { SessionStore } from '../session-store.interface.js';
import { MemorySessionStore } from './memory-session.store.js';

/**
 * Set to `'1'` by `@nest-hive/cluster`'s `bootstrapCluster()` in every worker
 * it forks (its `CLUSTER_ENV.clustered`). Read here by name so that this
 * package does not load the cluster package unless it runs under it.
 */
const CLUSTERED_ENV = 'NEST_HIVE_CLUSTER';

/**
 * The store used when the options name none: in a worker forked by
 * `bootstrapCluster`, the store the primary shares with every worker
 * (loaded on demand from `@nest-hive/session/cluster`); in one process, a
 * `MemorySessionStore`.
 */
export async function createDefaultSessionStore(options: SessionModuleOptions): Promise<SessionStore> {
  if (process.env[CLUSTERED_ENV] === '1') {
    const { ClusterSessionStore } = await import('../cluster/index.js');
    return new ClusterSessionStore({ memoryStore: options.memoryStore });
  }
  return new MemorySessionStore(options.memoryStore);
}
