/**
 * Where this process stands in a cluster, read from `node:cluster` and the environment variables
 * the primary gives each worker. It imports nothing else, so another library can ask without
 * loading the cluster runtime (`@nest-hive/cluster/environment`).
 */
import cluster from 'node:cluster';

/**
 * Environment variables the primary gives each forked worker.
 * Read them with `getClusterEnvironment()`.
 */
export const CLUSTER_ENV = {
  /** `'1'` in a worker forked by `bootstrapCluster`. */
  clustered: 'NEST_HIVE_CLUSTER',
  /** Stable slot `0..N-1` of the worker; a replacement inherits it. */
  slot: 'NEST_HIVE_WORKER_SLOT',
  /** Configured number of workers N. */
  workers: 'NEST_HIVE_WORKERS',
  /** `'1'` when `bootstrapCluster({ sticky: true })` routes engine.io sessions to their worker. */
  sticky: 'NEST_HIVE_STICKY',
} as const;

/** What this process is, as far as `@nest-hive/cluster` is concerned. */
export interface ClusterEnvironment {
  /** `cluster.isPrimary`. */
  readonly isPrimary: boolean;
  /** `true` in a worker forked by `bootstrapCluster` (`NEST_HIVE_CLUSTER=1`). */
  readonly clustered: boolean;
  /** `cluster.worker.id` in a worker, else `null`. */
  readonly workerId: number | null;
  /** The worker's stable slot (`NEST_HIVE_WORKER_SLOT`), else `null`. */
  readonly slot: number | null;
  /** The configured number of workers (`NEST_HIVE_WORKERS`), else `null`. */
  readonly workers: number | null;
  /** Whether the primary relays engine.io sessions to the worker that owns them (`NEST_HIVE_STICKY=1`). */
  readonly sticky: boolean;
}

function readInteger(name: string): number | null {
  const raw = process.env[name];
  if (raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

/**
 * Reads this process' place in the cluster from `cluster.isPrimary`, `cluster.worker` and the
 * environment variables the primary gives each worker.
 *
 * @example
 * ```ts
 * const { isPrimary, slot, workers } = getClusterEnvironment();
 * if (slot === 0) startTheSingleCronRunner(); // one worker of N runs the cron jobs
 * ```
 */
export function getClusterEnvironment(): ClusterEnvironment {
  const isPrimary = cluster.isPrimary;
  const clustered = !isPrimary && process.env[CLUSTER_ENV.clustered] === '1';
  return {
    isPrimary,
    clustered,
    workerId: isPrimary ? null : (cluster.worker?.id ?? null),
    slot: clustered ? readInteger(CLUSTER_ENV.slot) : null,
    workers: clustered ? readInteger(CLUSTER_ENV.workers) : null,
    sticky: clustered && process.env[CLUSTER_ENV.sticky] === '1',
  };
}
