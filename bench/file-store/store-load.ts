import { existsSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { FileSessionStore } from '@nest-hive/session';
import { percentile } from '../lib/stats.js';

/** A day, the lifetime of the sessions that stay. */
export const DAY_MS = 86_400_000;

/** Session data of about 200 bytes as JSON, told apart by `n`. */
export function sessionData(n: number): Record<string, unknown> {
  return {
    user: `user-${String(n).padStart(8, '0')}`,
    visits: n % 1000,
    theme: n % 2 ? 'dark' : 'light',
    cart: [`sku-${n % 97}`, `sku-${n % 89}`, `sku-${n % 83}`],
    csrf: `csrf-${n.toString(36).padStart(24, '0')}`,
    note: 'recently viewed: shoes, coats, gloves, scarves, hats, boots',
  };
}

/** `count` session ids, `prefix` first (32 characters, as long as a real session id). */
export function sessionIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(31 - prefix.length, '0')}`);
}

/** Writes `ids` (new sessions), a batch of 500 at a time (one group write each), for `ttlMs`. */
export async function fill(store: FileSessionStore, ids: readonly string[], ttlMs: number): Promise<void> {
  for (let start = 0; start < ids.length; start += 500) {
    const now = Date.now();
    await Promise.all(
      ids
        .slice(start, start + 500)
        .map((id, i) => store.set(id, { data: sessionData(start + i), createdAt: now }, ttlMs)),
    );
  }
}

/** Event-loop delay figures of one phase, in ms (Node's histogram: the interval of a 1 ms timer). */
export interface DelayFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Timer ticks recorded. */
  ticks: number;
  /** The longest garbage-collection pause in the window (0 when none). */
  gcMaxMs: number;
}

/** One phase's figures at one size, as `event-loop-delay.js --json` prints them. */
export interface PhaseResult extends DelayFigures {
  sessions: number;
  phase: string;
  /** What else the phase measured (duration, write rate). */
  note: string;
  /** For a phase that is one synchronous call (replay at open, sweep, length()): its duration. */
  callMs?: number;
}

/** Whether `value` is a {@link PhaseResult}. */
export function isPhaseResult(value: unknown): value is PhaseResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const numbers = ['sessions', 'p50Ms', 'p99Ms', 'maxMs', 'ticks', 'gcMaxMs'];
  return (
    numbers.every((key) => typeof r[key] === 'number') &&
    typeof r.phase === 'string' &&
    typeof r.note === 'string'
  );
}

/** Garbage-collection pauses of this process, as `PerformanceObserver` reports them. */
export class GcPauses {
  private readonly pauses: Array<{ start: number; duration: number }> = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      this.pauses.push({ start: entry.startTime, duration: entry.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** The longest pause that started between `from` and `to` (`performance.now()` times). */
  longest(from: number, to: number): number {
    let longest = 0;
    for (const { start, duration } of this.pauses)
      if (start >= from && start <= to) longest = Math.max(longest, duration);
    return longest;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/**
 * The event-loop delay of one window, from a 1 ms histogram of its own: a histogram enabled twice
 * would count the time it was off as one long delay, and the interval that ends its first tick is
 * not recorded, so the window opens a few milliseconds before the work it measures.
 */
export class DelayWindow {
  private constructor(
    private readonly histogram: IntervalHistogram,
    private readonly from: number,
  ) {}

  static async open(): Promise<DelayWindow> {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const from = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new DelayWindow(histogram, from);
  }

  /** Stops recording and gives the figures, in ms. */
  close(gc: GcPauses): DelayFigures {
    const histogram = this.histogram;
    histogram.disable();
    const ms = (ns: number): number => ns / 1e6;
    return {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      ticks: histogram.count,
      gcMaxMs: gc.longest(this.from, performance.now()),
    };
  }
}

/**
 * A steady write load from a 1 ms timer: each tick replaces one session (`set`) and patches
 * `opsPerTick - 1` others, chosen in turn among `ids`, without waiting for earlier writes.
 */
export class SteadyWriter {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private started = 0;
  private readonly latencies: number[] = [];
  private failures = 0;
  private done = 0;

  constructor(
    private readonly store: FileSessionStore,
    private readonly ids: readonly string[],
    private readonly opsPerTick = 3,
  ) {}

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), 1);
  }

  /** Stops, and gives the writes acknowledged per second and their acknowledgement p99 (ms). */
  stop(): { writesPerSecond: number; ackP99Ms: number; failures: number } {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.started) / 1000;
    return {
      writesPerSecond: this.done / seconds,
      ackP99Ms: percentile(this.latencies, 99),
      failures: this.failures,
    };
  }

  private tick(): void {
    const now = Date.now();
    for (let op = 0; op < this.opsPerTick; op++) {
      const n = this.next++ % this.ids.length;
      const id = this.ids[n];
      const at = performance.now();
      const write =
        op === 0
          ? this.store.set(id, { data: sessionData(n + this.next), createdAt: now }, DAY_MS)
          : this.store.patch(id, { set: { visits: this.next }, unset: [] }, DAY_MS);
      write.then(
        () => {
          this.done++;
          this.latencies.push(performance.now() - at);
        },
        () => this.failures++,
      );
    }
  }
}

/** Watches for a compaction of the session file at `path`: its `<path>.compact` exists while one runs. */
export class CompactionWatch {
  constructor(private readonly path: string) {}

  /** Whether a compaction is under way now. */
  get compacting(): boolean {
    return existsSync(`${this.path}.compact`);
  }

  /**
   * Resolves once a compaction is under way (`running` true) or none is (`false`), polling every
   * millisecond, with `true`; with `false` when `limitMs` passed first.
   */
  async until(running: boolean, limitMs: number): Promise<boolean> {
    const end = performance.now() + limitMs;
    while (this.compacting !== running) {
      if (performance.now() > end) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return true;
  }

  /** Resolves once no compaction has run for `quietMs`. */
  async settled(quietMs = 300): Promise<void> {
    let quietSince = performance.now();
    while (performance.now() - quietSince < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (this.compacting) quietSince = performance.now();
    }
  }
}
