import { availableParallelism } from 'node:os';
import { type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { InvalidClusterOptionsError } from '../cluster.errors.js';
import { type Serialization } from '../ipc/message-codec.js';
import { type RestartPolicyOptions } from '../supervisor/restart-policy.js';
import { type PrimaryRuntime } from './primary-runtime.interface.js';
import {
  DEFAULT_RECYCLE_OPTIONS,
  type RecycleOptions,
  type ResolvedRecycleOptions,
  resolveRecycleOptions,
} from './recycle.options.js';

/** Backoff and crash-loop settings; every field is optional (see `DEFAULT_RESTART_OPTIONS`). */
export type RestartOptions = Partial<RestartPolicyOptions>;

/**
 * Options of `bootstrapCluster`. Only `worker` is required.
 *
 * @example
 * ```ts
 * await bootstrapCluster({
 *   workers: 'auto',
 *   worker: async () => {
 *     const app = await NestFactory.create(AppModule);
 *     await app.listen(3000);
 *     return app;
 *   },
 * });
 * ```
 */
export interface ClusterBootstrapOptions {
  /**
   * Creates the Nest app of a worker, makes it listen and returns it. The worker is *ready* when
   * this resolves. Do not call `app.enableShutdownHooks()`: the bootstrap handles the signals.
   */
  readonly worker: () => Promise<INestApplication>;
  /**
   * Optional: runs in the primary before any worker is forked, e.g. a Nest application context
   * (`NestFactory.createApplicationContext`, no HTTP) importing `ClusterModule`, or plain code
   * registering primary handlers on `runtime`. A returned context is closed on shutdown.
   */
  readonly primary?: (runtime: PrimaryRuntime) => Promise<INestApplicationContext | void>;
  /** Number of workers, or `'auto'` for `os.availableParallelism()`. `0` runs the worker in-process. Default `'auto'`. */
  readonly workers?: number | 'auto';
  /** IPC serialization. Default `'json'`. */
  readonly serialization?: Serialization;
  /** A worker not ready within this many ms is killed and counted as a failed start. Default 30 000. */
  readonly readyTimeoutMs?: number;
  /** A stopping worker still alive after this many ms is killed. Default 10 000. */
  readonly shutdownTimeoutMs?: number;
  /**
   * On `SIGTERM`, how long the cluster keeps serving before it shuts down, while
   * `ClusterHealthIndicator` answers down (`shuttingDown`), so that a load balancer checking
   * `/health` takes this machine out first: set it above the time the balancer needs (its checks'
   * interval times the failures it counts). `SIGINT` (Ctrl-C), a second signal and `shutdown()` do
   * not wait. Default 0.
   */
  readonly shutdownDelayMs?: number;
  /** Backoff and crash-loop guard. */
  readonly restart?: RestartOptions;
  /** Restart rules: a memory limit, a hang limit (on by default) and a maximum age (see `RecycleOptions`). */
  readonly recycle?: RecycleOptions;
  /** Signal that starts a rolling restart, or `null` for none. Default `'SIGHUP'`. */
  readonly reloadSignal?: NodeJS.Signals | null;
  /**
   * During a rolling restart, how long an idle keep-alive connection of a leaving worker may wait
   * for its next request (answered with `Connection: close`) before it is closed. Default 1 000.
   */
  readonly idleGraceMs?: number;
  /** Largest serialized IPC message; larger ones are refused with `MessageTooLargeError`. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Messages that may wait per channel for it to drain; more are refused with `QueueFullError`. Default 10 000. */
  readonly maxQueuedMessages?: number;
  /** Extra environment variables for every worker (e.g. a secret generated in the primary). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Sticky routing for socket.io: every request of one engine.io session reaches the worker that
   * owns it (see `@nest-hive/cluster/socket.io`). New connections still spread round robin, never
   * by client IP; plain HTTP is untouched. Default `false`.
   */
  readonly sticky?: boolean;
  /**
   * The control socket of the `nest-hive` CLI (`status`, `reload`, `scale`): a Unix socket only
   * this user can open, in `NEST_HIVE_CONTROL_DIR` or `<tmpdir>/nest-hive-<uid>`. Forked workers
   * only. Default `true`.
   */
  readonly controlSocket?: boolean;
}

/**
 * Defaults of `bootstrapCluster`. With them, a worker that fails at every start is given up after
 * 6 attempts and about 8 s of backoff (250 + 500 + 1 000 + 2 000 + 4 000 ms), so the primary
 * exits with code 1 well within 30 s instead of respawning forever.
 */
export const DEFAULT_CLUSTER_OPTIONS = {
  workers: 'auto',
  serialization: 'json',
  readyTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
  shutdownDelayMs: 0,
  restart: {
    initialDelayMs: 250,
    maxDelayMs: 30_000,
    factor: 2,
    stableAfterMs: 30_000,
    maxRestarts: 5,
    windowMs: 60_000,
  },
  recycle: DEFAULT_RECYCLE_OPTIONS,
  reloadSignal: 'SIGHUP',
  idleGraceMs: 1_000,
  maxMessageBytes: 1024 * 1024,
  maxQueuedMessages: 10_000,
  sticky: false,
  controlSocket: true,
} as const satisfies Partial<ClusterBootstrapOptions>;

/** Default backoff and crash-loop settings (`DEFAULT_CLUSTER_OPTIONS.restart`). */
export const DEFAULT_RESTART_OPTIONS: RestartPolicyOptions = DEFAULT_CLUSTER_OPTIONS.restart;

/** The options after defaults were merged and values checked: derived from the declaration above. */
export type ResolvedClusterOptions = Readonly<
  Required<Omit<ClusterBootstrapOptions, 'primary' | 'workers' | 'restart' | 'recycle'>>
> & {
  readonly primary: ClusterBootstrapOptions['primary'];
  readonly workers: number;
  readonly restart: RestartPolicyOptions;
  readonly recycle: ResolvedRecycleOptions;
};

function check(option: string, value: number, min: number, integer = true): number {
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new InvalidClusterOptionsError(
      option,
      `expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${value}`,
    );
  }
  return value;
}

function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidClusterOptionsError(option, `expected true or false`);
  return value;
}

/**
 * The least time `maxRestarts + 1` failures in a row can span: the backoff before each respawn.
 * A worker that fails at once still waits that long between attempts.
 */
export function minimumCrashLoopSpanMs(restart: RestartPolicyOptions): number {
  let span = 0;
  for (let failure = 0; failure < restart.maxRestarts; failure++) {
    span += Math.min(restart.maxDelayMs, restart.initialDelayMs * restart.factor ** failure);
  }
  return span;
}

/** Refuses settings under which a slot that fails at every start would respawn forever. */
function checkCrashLoopGuardReachable(restart: RestartPolicyOptions): void {
  const span = minimumCrashLoopSpanMs(restart);
  if (span < restart.windowMs) return;
  throw new InvalidClusterOptionsError(
    'restart.windowMs',
    `the crash-loop guard can never fire: ${restart.maxRestarts + 1} failures in a row take at least ` +
      `${span} ms of backoff, and windowMs is ${restart.windowMs} ms. Raise restart.windowMs above ${span}, ` +
      'or lower restart.maxRestarts, restart.maxDelayMs or restart.initialDelayMs',
  );
}

/**
 * Merges the defaults into `options` once and checks every value.
 *
 * @throws InvalidClusterOptionsError on a bad value.
 */
export function resolveClusterOptions(options: ClusterBootstrapOptions): ResolvedClusterOptions {
  if (typeof options.worker !== 'function') {
    throw new InvalidClusterOptionsError(
      'worker',
      'a factory that creates, starts and returns the Nest app is required',
    );
  }
  const d = DEFAULT_CLUSTER_OPTIONS;
  const r = DEFAULT_CLUSTER_OPTIONS.restart;
  const given = options.restart ?? {};
  const merged = {
    workers: options.workers ?? d.workers,
    serialization: options.serialization ?? d.serialization,
    readyTimeoutMs: options.readyTimeoutMs ?? d.readyTimeoutMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? d.shutdownTimeoutMs,
    shutdownDelayMs: options.shutdownDelayMs ?? d.shutdownDelayMs,
    reloadSignal: options.reloadSignal === undefined ? d.reloadSignal : options.reloadSignal,
    idleGraceMs: options.idleGraceMs ?? d.idleGraceMs,
    maxMessageBytes: options.maxMessageBytes ?? d.maxMessageBytes,
    maxQueuedMessages: options.maxQueuedMessages ?? d.maxQueuedMessages,
    sticky: options.sticky ?? d.sticky,
    controlSocket: options.controlSocket ?? d.controlSocket,
  };
  const restart: RestartPolicyOptions = {
    initialDelayMs: given.initialDelayMs ?? r.initialDelayMs,
    maxDelayMs: given.maxDelayMs ?? r.maxDelayMs,
    factor: given.factor ?? r.factor,
    stableAfterMs: given.stableAfterMs ?? r.stableAfterMs,
    maxRestarts: given.maxRestarts ?? r.maxRestarts,
    windowMs: given.windowMs ?? r.windowMs,
  };
  const checkedRestart: RestartPolicyOptions = {
    initialDelayMs: check('restart.initialDelayMs', restart.initialDelayMs, 0),
    maxDelayMs: check('restart.maxDelayMs', restart.maxDelayMs, restart.initialDelayMs),
    factor: check('restart.factor', restart.factor, 1, false),
    stableAfterMs: check('restart.stableAfterMs', restart.stableAfterMs, 0),
    maxRestarts: check('restart.maxRestarts', restart.maxRestarts, 0),
    windowMs: check('restart.windowMs', restart.windowMs, 1),
  };
  checkCrashLoopGuardReachable(checkedRestart);
  const workers = merged.workers === 'auto' ? availableParallelism() : check('workers', merged.workers, 0);
  if (merged.serialization !== 'json' && merged.serialization !== 'advanced') {
    throw new InvalidClusterOptionsError('serialization', `expected 'json' or 'advanced'`);
  }
  return {
    worker: options.worker,
    primary: options.primary,
    workers,
    serialization: merged.serialization,
    readyTimeoutMs: check('readyTimeoutMs', merged.readyTimeoutMs, 1),
    shutdownTimeoutMs: check('shutdownTimeoutMs', merged.shutdownTimeoutMs, 1),
    shutdownDelayMs: check('shutdownDelayMs', merged.shutdownDelayMs, 0),
    restart: checkedRestart,
    recycle: resolveRecycleOptions(options.recycle, workers),
    reloadSignal: merged.reloadSignal,
    idleGraceMs: check('idleGraceMs', merged.idleGraceMs, 0),
    maxMessageBytes: check('maxMessageBytes', merged.maxMessageBytes, 64),
    maxQueuedMessages: check('maxQueuedMessages', merged.maxQueuedMessages, 1),
    env: { ...options.env },
    sticky: checkBoolean('sticky', merged.sticky),
    controlSocket: checkBoolean('controlSocket', merged.controlSocket),
  };
}
