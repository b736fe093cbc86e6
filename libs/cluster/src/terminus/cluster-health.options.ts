/** Options of `ClusterHealthIndicator.isHealthy()`. */
export interface ClusterHealthOptions {
  /**
   * Fewer ready workers than this is `down` (default 1). From there up to the desired count the
   * cluster is `degraded`: still serving, a worker being respawned or restarted.
   */
  readonly minReady?: number;
  /** Longest wait for the primary's answer, in ms (default 1000); then the check is `down`. */
  readonly timeoutMs?: number;
}

/** Defaults of {@link ClusterHealthOptions}. */
export const DEFAULT_CLUSTER_HEALTH_OPTIONS: Required<ClusterHealthOptions> = {
  minReady: 1,
  timeoutMs: 1_000,
};
