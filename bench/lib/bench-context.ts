/** Settings every case shares. */
export interface BenchContext {
  /** `--quick`: a few seconds per run. */
  quick: boolean;
  /** Seconds of load per measured run. */
  durationSeconds: number;
  /** Seconds of warm-up load per server before measuring. */
  warmupSeconds: number;
  /** Measured runs per variant (interleaved). */
  rounds: number;
  /** Progress lines go here. */
  log(message: string): void;
}
