/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /**
   * Most sessions held at once. Past it, the least recently used session is
   * evicted, so memory stays bounded. Default `100_000`.
   */
  maxSessions?: number;
  /** How often (ms) expired sessions are swept out. `0` disables the sweep. Default `60_000`. */
  sweepIntervalMs?: number;
}

/** Default {@link MemorySessionStoreOptions.maxSessions}. */
export const DEFAULT_MAX_SESSIONS = 100_000;
/** Default {@link MemorySessionStoreOptions.sweepIntervalMs}. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
