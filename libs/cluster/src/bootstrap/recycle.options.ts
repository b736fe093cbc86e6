import { InvalidClusterOptionsError } from '../cluster.errors.js';

/**
 * Restart rules of `bootstrapCluster` (`recycle`): a worker that breaks one is replaced. The
 * primary sends every ready worker a heartbeat over IPC each `heartbeatIntervalMs`; the worker's
 * event loop answers it with the process' resident set size.
 *
 * @example
 * ```ts
 * await bootstrapCluster({
 *   workers: 4,
 *   recycle: { maxMemoryMb: 512, hangTimeoutMs: 10_000, maxAgeMs: 6 * 60 * 60 * 1000 },
 *   worker: async () => {
 *     const app = await NestFactory.create(AppModule);
 *     await app.listen(3000);
 *     return app;
 *   },
 * });
 * ```
 */
export interface RecycleOptions {
  /**
   * A worker whose RSS stays above this many MiB for `memorySamples` heartbeats in a row is
   * replaced like in a rolling restart: its replacement is ready before it stops, and its
   * in-flight requests finish. Default `null` (no limit).
   */
  readonly maxMemoryMb?: number | null;
  /** Heartbeats in a row above `maxMemoryMb` before the worker is replaced. Default 3. */
  readonly memorySamples?: number;
  /**
   * A ready worker that answers no heartbeat for this long (its event loop is blocked) is killed
   * and replaced; the requests it was serving are lost. At least 2 × `heartbeatIntervalMs`.
   * Default 30 000, or `null` (off) when the process runs under the inspector (`--inspect`), where
   * a breakpoint would look like a hang. `null` turns it off.
   */
  readonly hangTimeoutMs?: number | null;
  /**
   * A worker older than this is replaced like in a rolling restart. Staggered: the worker of
   * slot `i` of `n` is replaced at `maxAgeMs × (1 − i / 2n)`, so workers started together are
   * not all replaced at once, and none lives longer than `maxAgeMs`. Default `null` (no limit).
   */
  readonly maxAgeMs?: number | null;
  /** Time between two heartbeats of a worker. Default 1 000. */
  readonly heartbeatIntervalMs?: number;
}

/** The restart rules after defaults were merged and values checked. */
export interface ResolvedRecycleOptions {
  readonly maxMemoryMb: number | null;
  readonly memorySamples: number;
  readonly hangTimeoutMs: number | null;
  readonly maxAgeMs: number | null;
  readonly heartbeatIntervalMs: number;
}

/** Why a worker was replaced by a restart rule. */
export type RecycleReason = 'memory' | 'hang' | 'max-age';

/** Defaults of the restart rules (`DEFAULT_CLUSTER_OPTIONS.recycle`); the hang limit is off under the inspector. */
export const DEFAULT_RECYCLE_OPTIONS = {
  maxMemoryMb: null,
  memorySamples: 3,
  hangTimeoutMs: 30_000,
  maxAgeMs: null,
  heartbeatIntervalMs: 1_000,
} as const satisfies ResolvedRecycleOptions;

/** Whether this process runs under the inspector, whose breakpoints stop a worker's event loop. */
function underInspector(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => /^--inspect(-brk|-wait)?(=|$)/.test(flag));
}

function positive(option: string, value: number, min: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new InvalidClusterOptionsError(
      `recycle.${option}`,
      `expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${value}`,
    );
  }
  return value;
}

/**
 * Merges the defaults into `given` and checks every value.
 *
 * @param given - the `recycle` option of `bootstrapCluster`.
 * @param workers - the resolved worker count: with `0` no rule can replace the process.
 * @throws InvalidClusterOptionsError on a bad value, naming the fix.
 */
export function resolveRecycleOptions(given: RecycleOptions = {}, workers: number): ResolvedRecycleOptions {
  const d = DEFAULT_RECYCLE_OPTIONS;
  const heartbeatIntervalMs = positive(
    'heartbeatIntervalMs',
    given.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    10,
    true,
  );
  const hangDefault = underInspector() ? null : d.hangTimeoutMs;
  const hang = given.hangTimeoutMs === undefined ? hangDefault : given.hangTimeoutMs;
  if (hang !== null && !(hang >= 2 * heartbeatIntervalMs)) {
    throw new InvalidClusterOptionsError(
      'recycle.hangTimeoutMs',
      `${hang} ms would take a worker between two heartbeats for a hung one: set it to at least ` +
        `2 × recycle.heartbeatIntervalMs (${2 * heartbeatIntervalMs} ms), or null to turn the rule off`,
    );
  }
  const resolved: ResolvedRecycleOptions = {
    maxMemoryMb: given.maxMemoryMb == null ? null : positive('maxMemoryMb', given.maxMemoryMb, 1, false),
    memorySamples: positive('memorySamples', given.memorySamples ?? d.memorySamples, 1, true),
    hangTimeoutMs: hang === null ? null : positive('hangTimeoutMs', hang, 2 * heartbeatIntervalMs, true),
    maxAgeMs: given.maxAgeMs == null ? null : positive('maxAgeMs', given.maxAgeMs, heartbeatIntervalMs, true),
    heartbeatIntervalMs,
  };
  const explicit = (['maxMemoryMb', 'maxAgeMs', 'hangTimeoutMs'] as const).find(
    (rule) => given[rule] != null,
  );
  if (workers === 0 && explicit) {
    throw new InvalidClusterOptionsError(
      `recycle.${explicit}`,
      'with workers: 0 the app runs in the primary and nothing can replace it: fork workers (workers ≥ 1) ' +
        'or remove the rule',
    );
  }
  return resolved;
}

/**
 * The age at which the worker of `slot` (of `slots`) is replaced under `maxAgeMs`: staggered from
 * `maxAgeMs` (slot 0) down towards half of it, so workers started together leave one by one.
 */
export function staggeredMaxAgeMs(maxAgeMs: number, slot: number, slots: number): number {
  return Math.round(maxAgeMs * (1 - slot / (2 * Math.max(slots, 1))));
}
