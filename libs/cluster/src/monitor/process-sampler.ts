import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type ProcessSample } from './process-sample.js';

/** Resolution of the event-loop delay histogram, ms (subtracted: an idle loop lags 0). */
const LOOP_RESOLUTION_MS = 10;

/**
 * Samples this process every `intervalMs`: memory, CPU, event-loop lag p99 and the HTTP requests
 * counted by `countRequest()`, keeping the last `historySize` samples. Its timer is unref'ed, so it
 * never keeps a process alive; `stop()` ends it.
 */
export class ProcessSampler {
  private readonly history: ProcessSample[] = [];
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private requests = 0;

  /**
   * @param intervalMs - time between two samples.
   * @param historySize - samples kept.
   */
  constructor(
    readonly intervalMs: number,
    private readonly historySize: number,
  ) {}

  /** Starts sampling. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.loop.enable();
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.loop.disable();
  }

  /** Counts one HTTP request. */
  countRequest(): void {
    this.requests++;
  }

  /** The samples taken after `since` (epoch ms), oldest first. */
  samples(since = 0): ProcessSample[] {
    return this.history.filter((sample) => sample.at > since);
  }

  private sample(): void {
    const now = performance.now();
    const elapsedMs = Math.max(now - this.lastAt, 1);
    const cpu = process.cpuUsage(this.lastCpu);
    const memory = process.memoryUsage();
    const p99Ms = this.loop.count > 0 ? this.loop.percentile(99) / 1e6 : LOOP_RESOLUTION_MS;
    this.history.push({
      at: Date.now(),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      eventLoopLagP99Ms: round(Math.max(0, p99Ms - LOOP_RESOLUTION_MS)),
      requestsPerSecond: round((this.requests * 1000) / elapsedMs),
    });
    if (this.history.length > this.historySize) this.history.shift();
    this.loop.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    this.requests = 0;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
