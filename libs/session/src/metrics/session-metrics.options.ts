/** Options of `SessionMetricsModule.forRoot()`. All optional. */
export interface SessionMetricsModuleOptions {
  /**
   * Report `nest_hive_sessions` from the store's `length()` at each scrape, where the store can
   * count (memory, cluster-shared, Redis with `SCAN`, express-session stores with `length`).
   * Default `true`; turn it off for a Redis store with millions of sessions.
   */
  readonly countSessions?: boolean;
  /** Longest wait for `length()` during a scrape, in ms; then the gauge is left out. Default 1000. */
  readonly countTimeoutMs?: number;
  /** Buckets of the latency histogram, in seconds. */
  readonly buckets?: readonly number[];
}

/** Defaults of {@link SessionMetricsModuleOptions}. */
export const DEFAULT_SESSION_METRICS_OPTIONS: Required<SessionMetricsModuleOptions> = {
  countSessions: true,
  countTimeoutMs: 1_000,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
};

/** Injection token of the options. */
export const SESSION_METRICS_OPTIONS = Symbol('SESSION_METRICS_OPTIONS');
