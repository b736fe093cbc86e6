import { ClusterStateError } from '../cluster.errors.js';

/**
 * Where a supervisor stands. `restarting`, `scaling` and `recycling` (a restart rule replacing one
 * worker) run one at a time on a running cluster.
 */
export type Phase = 'idle' | 'running' | 'restarting' | 'scaling' | 'recycling' | 'stopping' | 'stopped';

/** The phases that run one at a time. */
export type ExclusivePhase = 'restarting' | 'scaling' | 'recycling';

const VERBS: Readonly<Record<ExclusivePhase, string>> = {
  restarting: 'restart',
  scaling: 'scale',
  recycling: 'recycle a worker',
};

/** A supervisor's phase, and the rule that rolling restarts, scalings and recycles never overlap. */
export class SupervisorPhase {
  /** The phase now. */
  current: Phase = 'idle';
  private ongoing: Promise<void> | undefined;

  /** Whether a shutdown began. */
  get stopping(): boolean {
    return this.current === 'stopping' || this.current === 'stopped';
  }

  /**
   * Runs `run` as phase `phase`, then goes back to `running` (unless a shutdown began meanwhile).
   *
   * @throws ClusterStateError unless the cluster is running, saying what it does instead.
   */
  async exclusive(phase: ExclusivePhase, run: () => Promise<void>): Promise<void> {
    // A restart rule replaces one worker, which is short: an operator's restart or scaling waits.
    while (this.current === 'recycling' && phase !== 'recycling') await this.ongoing;
    if (this.current !== 'running') {
      const busy =
        this.current === 'restarting' || this.current === 'scaling' || this.current === 'recycling';
      throw new ClusterStateError(
        `Cannot ${VERBS[phase]} while the cluster is ${this.current}` +
          (busy ? '; wait for it to finish.' : '.'),
      );
    }
    this.current = phase;
    const ongoing = run().finally(() => {
      if (this.current === phase) this.current = 'running';
    });
    this.ongoing = ongoing.catch(() => undefined);
    await ongoing;
  }
}
