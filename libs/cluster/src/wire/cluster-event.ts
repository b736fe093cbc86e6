import { type WorkerInfo, type WorkersSnapshot } from '../cluster.interfaces.js';
import { type RecycleReason } from '../bootstrap/recycle.options.js';

/** Why a worker exited, as decided by the supervisor. */
export type WorkerExitReason =
  /** The supervisor (shutdown or rolling restart) stopped it. */
  | 'stopped'
  /** It exited on its own: a non-zero code, a signal, `kill -9`. */
  | 'crashed'
  /** It was killed because it was not ready within `readyTimeoutMs`. */
  | 'ready-timeout'
  /** It was killed because it did not stop within `shutdownTimeoutMs`. */
  | 'shutdown-timeout'
  /** It was killed because it answered no heartbeat within `recycle.hangTimeoutMs`. */
  | 'hang';

interface WorkerEventBase {
  /** `cluster.worker.id`. */
  readonly workerId: number;
  /** Stable slot of the worker. */
  readonly slot: number;
  /** Process id. */
  readonly pid: number;
  /** When it happened (epoch ms). */
  readonly at: number;
}

/** A lifecycle event without extra fields. */
export interface ClusterSimpleEvent extends WorkerEventBase {
  /** `fork`: forked; `online`: the process runs; `ready`: its worker() factory resolved; `disconnect`: IPC closed. */
  readonly type: 'fork' | 'online' | 'ready' | 'disconnect';
}

/** The worker's server started listening (Node's `listening` event; not the same as ready). */
export interface ClusterListeningEvent extends WorkerEventBase {
  /** `listening`. */
  readonly type: 'listening';
  /** Bound address, when known. */
  readonly address: string | null;
  /** Bound port, when known. */
  readonly port: number | null;
}

/** The worker process exited. */
export interface ClusterExitEvent extends WorkerEventBase {
  /** `exit`. */
  readonly type: 'exit';
  /** Exit code, or `null` when killed by a signal. */
  readonly code: number | null;
  /** Killing signal, or `null`. */
  readonly signal: string | null;
  /** The supervisor's reading of it. */
  readonly reason: WorkerExitReason;
}

/** A slot failed more than `restart.maxRestarts` times within `restart.windowMs` and is no longer respawned. */
export interface ClusterCrashLoopEvent extends WorkerEventBase {
  /** `crash-loop`. */
  readonly type: 'crash-loop';
  /** Failures counted in the window. */
  readonly failures: number;
  /** The window, in ms. */
  readonly windowMs: number;
}

/**
 * A restart rule fired (see `recycle` of `bootstrapCluster`): on `memory` and `max-age` the worker
 * is replaced gracefully (a replacement is forked, and the worker stops once it is ready); on
 * `hang` it is killed, and its slot respawned.
 */
export interface ClusterRecycleEvent extends WorkerEventBase {
  /** `recycle`. */
  readonly type: 'recycle';
  /** The rule. */
  readonly reason: RecycleReason;
  /** What broke it, in words: `RSS 612 MiB above 512 MiB for 3 heartbeats in a row`. */
  readonly detail: string;
}

/**
 * A lifecycle event of the supervised cluster (`ClusterService.events$`, `handle.events$`).
 * Discriminated by `type`.
 */
export type ClusterEvent =
  ClusterSimpleEvent | ClusterListeningEvent | ClusterExitEvent | ClusterCrashLoopEvent | ClusterRecycleEvent;

/** Names of the lifecycle events. */
export type ClusterEventType = ClusterEvent['type'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNullableNumber(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

const EXIT_REASONS: ReadonlySet<unknown> = new Set([
  'stopped',
  'crashed',
  'ready-timeout',
  'shutdown-timeout',
  'hang',
]);
const RECYCLE_REASONS: ReadonlySet<unknown> = new Set(['memory', 'hang', 'max-age']);
const WORKER_STATES: ReadonlySet<unknown> = new Set(['starting', 'ready', 'stopping']);

/** Runtime guard for a `ClusterEvent` received over IPC. */
export function isClusterEvent(value: unknown): value is ClusterEvent {
  if (!isRecord(value)) return false;
  const base =
    typeof value.workerId === 'number' &&
    typeof value.slot === 'number' &&
    typeof value.pid === 'number' &&
    typeof value.at === 'number';
  if (!base) return false;
  switch (value.type) {
    case 'fork':
    case 'online':
    case 'ready':
    case 'disconnect':
      return true;
    case 'listening':
      return isNullableString(value.address) && isNullableNumber(value.port);
    case 'exit':
      return isNullableNumber(value.code) && isNullableString(value.signal) && EXIT_REASONS.has(value.reason);
    case 'crash-loop':
      return typeof value.failures === 'number' && typeof value.windowMs === 'number';
    case 'recycle':
      return RECYCLE_REASONS.has(value.reason) && typeof value.detail === 'string';
    default:
      return false;
  }
}

/** Runtime guard for a `WorkerInfo` row. */
export function isWorkerInfo(value: unknown): value is WorkerInfo {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.slot === 'number' &&
    typeof value.pid === 'number' &&
    WORKER_STATES.has(value.state) &&
    typeof value.startedAt === 'number' &&
    isNullableNumber(value.readyAt)
  );
}

/** Runtime guard for a list of `WorkerInfo` rows. */
export function isWorkerInfoList(value: unknown): value is readonly WorkerInfo[] {
  return Array.isArray(value) && value.every(isWorkerInfo);
}

/** Runtime guard for the `workers()` answer. */
export function isWorkersSnapshot(value: unknown): value is WorkersSnapshot {
  return (
    isRecord(value) &&
    isRecord(value.primary) &&
    typeof value.primary.pid === 'number' &&
    isWorkerInfoList(value.workers) &&
    typeof value.desired === 'number' &&
    Array.isArray(value.givenUpSlots) &&
    value.givenUpSlots.every((slot) => typeof slot === 'number') &&
    typeof value.restarts === 'number' &&
    isRecord(value.recycles) &&
    [...RECYCLE_REASONS].every(
      (reason) => typeof Reflect.get(value.recycles as object, reason as string) === 'number',
    )
  );
}
