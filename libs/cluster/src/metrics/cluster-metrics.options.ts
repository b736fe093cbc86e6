/** Options of `ClusterMetricsModule.forRoot()`. All optional. */
export interface ClusterMetricsModuleOptions {
  /** prom-client's default metrics (`collectDefaultMetrics()`) in every process. Default `true`. */
  readonly defaultMetrics?: boolean;
  /** Longest wait for the other processes' metrics during a scrape, in ms. Default 2000. */
  readonly timeoutMs?: number;
}

/** {@link ClusterMetricsModuleOptions} with the defaults applied. */
export type ResolvedClusterMetricsOptions = Required<ClusterMetricsModuleOptions>;

/** Defaults of {@link ClusterMetricsModuleOptions}. */
export const DEFAULT_CLUSTER_METRICS_OPTIONS: ResolvedClusterMetricsOptions = {
  defaultMetrics: true,
  timeoutMs: 2_000,
};
