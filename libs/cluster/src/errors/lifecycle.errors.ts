/**
 * Errors of starting, configuring and supervising the cluster: options, process state, worker
 * start-up, rolling restarts and crash loops.
 */
import { ClusterError } from './cluster-error.js';

/** The options given to `bootstrapCluster` or `ClusterModule.forRoot` are invalid. */
export class InvalidClusterOptionsError extends ClusterError {
  /**
   * @param option - the offending option path, e.g. `restart.factor`.
   * @param problem - why the value is rejected.
   */
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`Invalid cluster option "${option}": ${problem}. Fix the value passed to bootstrapCluster().`);
  }
}

/** An API was called in a process or mode where it cannot work (e.g. `rollingRestart()` with `workers: 0`). */
export class ClusterStateError extends ClusterError {}

/** A worker did not become ready within `readyTimeoutMs`. */
export class ReadyTimeoutError extends ClusterError {
  /**
   * @param slot - the slot of the worker.
   * @param timeoutMs - the configured `readyTimeoutMs`.
   */
  constructor(
    readonly slot: number,
    readonly timeoutMs: number,
  ) {
    super(
      `The worker in slot ${slot} did not become ready within ${timeoutMs} ms. ` +
        'Make the worker() factory resolve sooner (after app.listen()) or raise readyTimeoutMs.',
    );
  }
}

/** A worker exited before it became ready. */
export class WorkerStartError extends ClusterError {
  /**
   * @param slot - the slot of the worker.
   * @param workerId - the worker that exited.
   * @param code - its exit code.
   * @param signal - the signal that killed it.
   */
  constructor(
    readonly slot: number,
    readonly workerId: number,
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(
      `Worker ${workerId} (slot ${slot}) exited before it was ready (code ${code}, signal ${signal}). ` +
        'Look at its log: the worker() factory threw or the process crashed while starting.',
    );
  }
}

/** A rolling restart stopped because a replacement never became ready; the old worker keeps serving. */
export class RollingRestartError extends ClusterError {
  /**
   * @param slot - the slot whose replacement failed.
   * @param cause - why it failed.
   */
  constructor(
    readonly slot: number,
    cause: unknown,
  ) {
    super(
      `Rolling restart stopped at slot ${slot}: the replacement did not become ready, so the old worker keeps ` +
        'serving and later slots were not restarted. Fix the new code and send the reload signal again.',
      { cause },
    );
  }
}

/** Every slot is in a crash loop: no worker is left. */
export class CrashLoopError extends ClusterError {
  /**
   * @param slots - the number of dead slots.
   * @param lastFailure - why the last worker failed, e.g. `worker 12 (slot 1) threw Error: ...`.
   */
  constructor(
    readonly slots: number,
    readonly lastFailure: string,
  ) {
    super(
      `All ${slots} worker slot(s) are in a crash loop and were given up; the primary exits with code 1. ` +
        `Last failure: ${lastFailure}. Fix it and start again.`,
    );
  }
}
