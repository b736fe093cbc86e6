/** Options of `SessionStoreHealthIndicator.isHealthy()`. */
export interface SessionStoreHealthOptions {
  /** Longest wait for the store's answer, in ms (default 1000); then the check is `down`. */
  readonly timeoutMs?: number;
}

/** Defaults of {@link SessionStoreHealthOptions}. */
export const DEFAULT_SESSION_STORE_HEALTH_OPTIONS: Required<SessionStoreHealthOptions> = {
  timeoutMs: 1_000,
};
