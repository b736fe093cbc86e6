/** One second (by default) of one worker's life, as `ClusterMonitorModule` samples it. */
export interface ProcessSample {
  /** End of the sampled interval (epoch ms). */
  readonly at: number;
  /** Resident set size, bytes. */
  readonly rssBytes: number;
  /** V8 heap in use, bytes. */
  readonly heapUsedBytes: number;
  /** V8 heap reserved, bytes. */
  readonly heapTotalBytes: number;
  /** CPU time (user + system) over the interval, in % of one core. */
  readonly cpuPercent: number;
  /** 99th percentile of the event loop's lag over the interval, ms. */
  readonly eventLoopLagP99Ms: number;
  /** HTTP requests the worker's server received over the interval, per second. */
  readonly requestsPerSecond: number;
}

/** One worker of `ClusterMonitorService.snapshot()`. */
export interface MonitoredWorker {
  /** Worker id. */
  readonly id: number;
  /** Slot. */
  readonly slot: number;
  /** Process id. */
  readonly pid: number;
  /** Its state in the worker table. */
  readonly state: string;
  /** Its samples, oldest first (at most the history kept); empty when it did not answer. */
  readonly samples: readonly ProcessSample[];
}

/** What `ClusterMonitorService.snapshot()` answers. */
export interface ClusterMonitorSnapshot {
  /** When the snapshot was taken (epoch ms, this process' clock). */
  readonly at: number;
  /** Interval between two samples, ms. */
  readonly intervalMs: number;
  /** Every worker of the table, by slot. */
  readonly workers: readonly MonitoredWorker[];
}

const SAMPLE_FIELDS = [
  'at',
  'rssBytes',
  'heapUsedBytes',
  'heapTotalBytes',
  'cpuPercent',
  'eventLoopLagP99Ms',
  'requestsPerSecond',
] as const;

/** Runtime guard for one sample. */
export function isProcessSample(value: unknown): value is ProcessSample {
  if (typeof value !== 'object' || value === null) return false;
  return SAMPLE_FIELDS.every((field) => {
    const entry: unknown = Reflect.get(value, field);
    return typeof entry === 'number' && Number.isFinite(entry);
  });
}

/** Runtime guard for a list of samples. */
export function isProcessSampleList(value: unknown): value is readonly ProcessSample[] {
  return Array.isArray(value) && value.every(isProcessSample);
}
