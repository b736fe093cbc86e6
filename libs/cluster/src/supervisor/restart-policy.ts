/** Restart settings of the supervisor (all in milliseconds except `factor` and `maxRestarts`). */
export interface RestartPolicyOptions {
  /** Delay before the first respawn of a slot. */
  readonly initialDelayMs: number;
  /** Upper bound of the delay. */
  readonly maxDelayMs: number;
  /** Multiplier applied to the delay after each consecutive failure. */
  readonly factor: number;
  /** A worker that stayed ready this long resets the backoff to `initialDelayMs`. */
  readonly stableAfterMs: number;
  /** More failures than this within `windowMs` is a crash loop: the slot is given up. */
  readonly maxRestarts: number;
  /** The crash-loop window. */
  readonly windowMs: number;
}

import { type WorkerExitReason } from '../wire/cluster-event.js';

/** How the supervisor reads an exit: killed for a reason it recorded, stopped on purpose, or crashed. */
export function exitReason(killReason: WorkerExitReason | null, stopRequested: boolean): WorkerExitReason {
  return killReason ?? (stopRequested ? 'stopped' : 'crashed');
}

/**
 * Whether a worker the supervisor stopped ended cleanly: it exited 0, or the stop signal the whole
 * process group received (Ctrl-C sends SIGINT to every process) ended it before it had installed
 * its handlers, that is before it served anything. A kill by the supervisor is never clean.
 */
export function isCleanStop(reason: WorkerExitReason, code: number | null, signal: string | null): boolean {
  return reason === 'stopped' && (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM');
}

/** What the supervisor knows when a worker exits. */
export interface ExitFacts {
  /** The supervisor stopped it on purpose (shutdown, rolling restart, timeouts). */
  readonly stopRequested: boolean;
  /** The cluster is shutting down. */
  readonly clusterStopping: boolean;
  /** It was forked by a rolling restart to replace the slot's worker. */
  readonly isReplacement: boolean;
  /** It is the slot's current worker. */
  readonly servesSlot: boolean;
  /** A rolling restart is starting another worker for this slot. */
  readonly replacementStarting: boolean;
}

/**
 * What an exit means for the slot:
 * - `expected`: stopped on purpose, or the cluster is stopping; nothing is respawned;
 * - `replacement-failed`: a rolling restart's replacement died before taking over; the restart
 *   sees its `ready` fail and stops, the old worker keeps serving;
 * - `replacement-pending`: the slot's worker crashed while a replacement is starting, which will
 *   take the slot;
 * - `failure`: the slot lost its worker; ask `recordFailure()` when to respawn, or give up.
 */
export type ExitOutcome = 'expected' | 'replacement-failed' | 'replacement-pending' | 'failure';

/** Decides what an exit means (see `ExitOutcome`). Pure. */
export function decideAfterExit(facts: ExitFacts): ExitOutcome {
  if (facts.stopRequested || facts.clusterStopping) return 'expected';
  if (facts.isReplacement && !facts.servesSlot) return 'replacement-failed';
  if (facts.replacementStarting) return 'replacement-pending';
  return 'failure';
}

/** What to do after a failure. */
export type RestartDecision =
  | { readonly action: 'respawn'; readonly delayMs: number; readonly failures: number }
  | { readonly action: 'give-up'; readonly failures: number };

/**
 * Exponential backoff and crash-loop guard of one slot. Pure bookkeeping: the caller passes the
 * clock, so it is easy to test.
 */
export class SlotRestartPolicy {
  private failures: number[] = [];
  private consecutive = 0;

  /** @param options - the restart settings. */
  constructor(private readonly options: RestartPolicyOptions) {}

  /**
   * Records a failure and decides what follows.
   *
   * @param now - when the worker failed.
   * @param readyAt - when it had become ready, or `null` if it never did.
   */
  recordFailure(now: number, readyAt: number | null): RestartDecision {
    const { initialDelayMs, maxDelayMs, factor, stableAfterMs, maxRestarts, windowMs } = this.options;
    if (readyAt !== null && now - readyAt >= stableAfterMs) this.consecutive = 0;
    this.failures = this.failures.filter((at) => now - at < windowMs);
    this.failures.push(now);
    if (this.failures.length > maxRestarts) return { action: 'give-up', failures: this.failures.length };
    const delayMs = Math.min(maxDelayMs, initialDelayMs * factor ** this.consecutive);
    this.consecutive += 1;
    return { action: 'respawn', delayMs, failures: this.failures.length };
  }
}
