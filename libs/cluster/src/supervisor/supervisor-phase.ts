import { ClusterStateError } from '../cluster.errors.js';

/** Where a supervisor stands. `restarting` and `scaling` run one at a time on a running cluster. */
export type Phase = 'idle' | 'running' | 'restarting' | 'scaling' | 'stopping' | 'stopped';

/** A supervisor's phase, and the rule that a rolling restart and a scaling never overlap. */
export class SupervisorPhase {
  /** The phase now. */
  current: Phase = 'idle';

  /** Whether a shutdown began. */
  get stopping(): boolean {
    return this.current === 'stopping' || this.current === 'stopped';
  }

  /**
   * Runs `run` as phase `phase`, then goes back to `running` (unless a shutdown began meanwhile).
   *
   * @throws ClusterStateError unless the cluster is running, saying what it does instead.
   */
  async exclusive(phase: 'restarting' | 'scaling', run: () => Promise<void>): Promise<void> {
    if (this.current !== 'running') {
      const busy = this.current === 'restarting' || this.current === 'scaling';
      throw new ClusterStateError(
        `Cannot ${phase === 'restarting' ? 'restart' : 'scale'} while the cluster is ${this.current}` +
          (busy ? '; wait for it to finish.' : '.'),
      );
    }
    this.current = phase;
    try {
      await run();
    } finally {
      if (this.current === phase) this.current = 'running';
    }
  }
}
