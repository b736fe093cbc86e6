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
