import { type ResolvedClusterOptions } from '../bootstrap/bootstrap.options.js';
import { type ClusterError } from '../cluster.errors.js';

/** What the supervisor needs to know: the resolved bootstrap options it acts on. */
export type SupervisorOptions = Pick<
  ResolvedClusterOptions,
  'workers' | 'readyTimeoutMs' | 'shutdownTimeoutMs' | 'restart' | 'env'
> &
  Partial<Pick<ResolvedClusterOptions, 'sticky' | 'recycle'>>;

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
  /**
   * Runs `workers` workers from now on: new slots are forked (resolves once their workers are
   * ready), the highest slots are drained and stopped like in a rolling restart.
   */
  scale(workers: number): Promise<void>;
  /** Stops everything gracefully. Idempotent. */
  shutdown(): Promise<ShutdownReport>;
  /**
   * Called once when no restart can help: every slot is dead (crash loops), or a worker cannot
   * open the listening socket all workers share (`PortUnavailableError`). The primary must stop and
   * exit non-zero.
   */
  onFatal(listener: (error: ClusterError) => void): void;
}
