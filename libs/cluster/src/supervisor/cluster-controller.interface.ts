import { type CrashLoopError } from '../cluster.errors.js';

/** Outcome of a shutdown. */
export interface ShutdownReport {
  /** `true` when every worker exited with code 0 on its own, none had to be killed. */
  readonly clean: boolean;
}

/** What the bootstrap drives: forked workers (`Supervisor`) or the in-process worker (`workers: 0`). */
export interface ClusterController {
  /** Starts the workers; resolves when every live slot is ready. */
  start(): Promise<void>;
  /** Replaces the workers one slot at a time with zero downtime. */
  rollingRestart(): Promise<void>;
  /** Stops everything gracefully. Idempotent. */
  shutdown(): Promise<ShutdownReport>;
  /** Called once when every slot is dead (crash loops): the primary must exit non-zero. */
  onAllDead(listener: (error: CrashLoopError) => void): void;
}
