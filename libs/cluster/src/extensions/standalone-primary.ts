import { ClusterPrimaryRuntime } from '../bootstrap/primary-runtime.js';
import { type PrimaryRuntime } from '../bootstrap/primary-runtime.interface.js';

/** A primary runtime of its own, outside `bootstrapCluster`, and how to close it. */
export interface StandalonePrimary {
  /** The runtime: its `messaging` talks to itself at `'primary'`. */
  readonly runtime: PrimaryRuntime;
  /** Closes it: streams complete, pending requests fail. Idempotent. */
  close(): Promise<void>;
}

/**
 * A primary runtime with no workers, for the unit tests of a library built on the cluster's IPC:
 * its host and its worker side can talk through `runtime.messaging` in one process.
 *
 * @example
 * ```ts
 * const primary = createStandalonePrimary();
 * const store = new ClusterSessionStore({ messaging: primary.runtime.messaging });
 * await primary.close();
 * ```
 */
export function createStandalonePrimary(): StandalonePrimary {
  const runtime = new ClusterPrimaryRuntime();
  return { runtime, close: () => runtime.close() };
}
