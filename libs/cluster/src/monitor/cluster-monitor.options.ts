/** Options of `ClusterMonitorModule.forRoot()`. All optional. */
export interface ClusterMonitorModuleOptions {
  /** Time between two samples of each worker, ms. Default 1000. */
  readonly intervalMs?: number;
  /** Samples kept per worker. Default 60 (the last minute at 1 s). */
  readonly historySize?: number;
  /** Longest wait for one worker's samples during `snapshot()`, ms. Default 1000. */
  readonly timeoutMs?: number;
}

/** Defaults of {@link ClusterMonitorModuleOptions}. */
export const DEFAULT_CLUSTER_MONITOR_OPTIONS: Required<ClusterMonitorModuleOptions> = {
  intervalMs: 1_000,
  historySize: 60,
  timeoutMs: 1_000,
};

/** Injection token of the options. */
export const CLUSTER_MONITOR_OPTIONS = Symbol('CLUSTER_MONITOR_OPTIONS');
