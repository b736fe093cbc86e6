/**
 * Process-level state of `@nest-hive/cluster`, kept in this one small file on purpose.
 *
 * Node's `cluster` module is process-global: a process is either the primary or one worker, has
 * at most one IPC channel, and signals are delivered to the process. Where this process stands
 * (`cluster.isPrimary` and the worker identity the primary put in the environment) is read, never
 * held, by `environment/cluster-environment.ts`, a leaf other libraries import. This file, and only
 * this file:
 * - installs and removes the signal handlers of the bootstrap;
 * - holds the process' runtime (the primary's router, or the worker's), which every
 *   `ClusterModule` in the process attaches to;
 * - remembers, per async call chain, which endpoint a Nest app being created belongs to (the
 *   primary context or the worker app: with `workers: 0` both live in one process).
 * - sums the health of the process' broadcast transports, for its metrics.
 *
 * Everything else is instance state owned by a runtime, a hub or a `ClusterService`, so two Nest
 * apps in one process never share mutable state beyond the process' single IPC router.
 */
import cluster from 'node:cluster';
import { ClusterStateError } from './cluster.errors.js';
import { type Address } from './cluster.interfaces.js';
import { ClusterPrimaryRuntime } from './bootstrap/primary-runtime.js';
import { type PrimaryRuntime } from './bootstrap/primary-runtime.interface.js';
import { type ClusterMessaging } from './messaging/cluster-messaging.interface.js';
import { type WorkerRuntime } from './bootstrap/worker-runtime.js';
import { type IpcStatsSnapshot } from './ipc/ipc-stats.js';
import { BroadcastHealthTally } from './transport/broadcast-health.js';

/** The endpoint whose Nest app the bootstrap is creating right now, if any. */
let creatingEndpoint: Address | undefined;

/**
 * Runs `fn` (a factory that creates a Nest app) as the endpoint `address`:
 * `ClusterModule` providers resolved while it runs attach there. The
 * bootstrap calls the factories one after the other, so a plain variable
 * scoped to the call is enough; `AsyncLocalStorage` would install promise
 * hooks that slow every promise of the process for its whole life.
 */
export async function runAsEndpoint<T>(address: Address, fn: () => Promise<T> | T): Promise<T> {
  const previous = creatingEndpoint;
  creatingEndpoint = address;
  try {
    return await fn();
  } finally {
    creatingEndpoint = previous;
  }
}

/** The endpoint set by `runAsEndpoint` while its factory runs, if any. */
export function currentEndpointAddress(): Address | undefined {
  return creatingEndpoint;
}

let primaryRuntime: ClusterPrimaryRuntime | undefined;
let workerRuntime: WorkerRuntime | undefined;

/**
 * The primary's runtime: its IPC router and its plain-code messaging API. Created on first use,
 * so code in the primary can register handlers before or after `bootstrapCluster` forks.
 *
 * @throws ClusterStateError in a worker process.
 * @example
 * ```ts
 * // main.ts, primary side, no Nest context needed:
 * getPrimaryRuntime().handle(COUNTER_NEXT, () => ++counter);
 * ```
 */
export function getPrimaryRuntime(): PrimaryRuntime {
  return processPrimaryRuntime();
}

/** The primary's runtime with its internals, for the bootstrap. Created on first use. */
export function processPrimaryRuntime(): ClusterPrimaryRuntime {
  if (!cluster.isPrimary) {
    throw new ClusterStateError(
      'getPrimaryRuntime() was called in a worker. Call it in the primary (e.g. in the primary() factory), ' +
        'or use ClusterService.request(..., { to: "primary" }) from the worker.',
    );
  }
  primaryRuntime ??= new ClusterPrimaryRuntime();
  return primaryRuntime;
}

/** The primary runtime if one exists, without creating it. */
export function findPrimaryRuntime(): ClusterPrimaryRuntime | undefined {
  return primaryRuntime;
}

/** Forgets the primary runtime once it has closed. */
export function releasePrimaryRuntime(runtime: ClusterPrimaryRuntime): void {
  if (primaryRuntime === runtime) primaryRuntime = undefined;
}

/** The worker runtime of this process, if `bootstrapCluster` started one. */
export function getWorkerRuntime(): WorkerRuntime | undefined {
  return workerRuntime;
}

/**
 * This process's plain-code messaging endpoint under `bootstrapCluster`: the
 * worker's in a forked worker, the primary's (`'primary'`) in the primary.
 * `undefined` in a process `bootstrapCluster` did not start. For libraries
 * that talk over the cluster's IPC without a Nest module.
 *
 * @example
 * ```ts
 * const messaging = getProcessMessaging();
 * if (messaging) await messaging.request(STORE_GET, { key }, { to: 'primary' });
 * ```
 */
export function getProcessMessaging(): ClusterMessaging | undefined {
  if (workerRuntime) return workerRuntime.messaging;
  if (cluster.isPrimary && primaryRuntime && !primaryRuntime.isClosed) return primaryRuntime.messaging;
  return undefined;
}

/** Sets (or clears) the worker runtime of this process. */
export function setWorkerRuntime(runtime: WorkerRuntime | undefined): void {
  workerRuntime = runtime;
}

/** A signal handler of the bootstrap. */
export type SignalHandler = (signal: NodeJS.Signals) => void;

/**
 * Installs process signal handlers; returns a function that removes exactly those.
 * Once a handler is installed, Node no longer applies the signal's default action.
 */
export function installSignalHandlers(handlers: ReadonlyMap<NodeJS.Signals, SignalHandler>): () => void {
  const installed: Array<[NodeJS.Signals, SignalHandler]> = [];
  for (const [signal, handler] of handlers) {
    process.on(signal, handler);
    installed.push([signal, handler]);
  }
  return () => {
    for (const [signal, handler] of installed.splice(0)) process.off(signal, handler);
  };
}

/**
 * This process' IPC counters: its worker's hub, or the primary's; `undefined` outside
 * `bootstrapCluster`. Read by `@nest-hive/cluster/metrics`.
 *
 * @internal
 */
export function processIpcStats(): IpcStatsSnapshot | undefined {
  if (workerRuntime) return workerRuntime.hub.statsSnapshot();
  return primaryRuntime?.hub.statsSnapshot();
}

/** The broadcast transports of this process' `ClusterService`s, whatever runtime they serve. */
const broadcastHealth = new BroadcastHealthTally();

/**
 * The process' tally of broadcast transport health (degraded transports, forced resubscribes,
 * broadcasts found missing). `ClusterService` counts its transport in it; read by
 * `@nest-hive/cluster/metrics`.
 *
 * @internal
 */
export function processBroadcastHealth(): BroadcastHealthTally {
  return broadcastHealth;
}
