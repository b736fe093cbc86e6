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

/** What a listen failure means, and what to do about it, by system error code. */
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRINUSE:
    'the address is in use: another process holds that port; stop it, or start the cluster on another port',
  EACCES: 'permission denied: a port below 1024 needs privileges; use a port of 1024 or above',
  EADDRNOTAVAIL: 'this machine has no such address: listen on one of its addresses, or on every one',
};

/**
 * A worker could not open its listening socket for a reason no restart can fix (`EADDRINUSE`,
 * `EACCES`, `EADDRNOTAVAIL`): in a cluster the primary holds that socket for every worker, so each replacement
 * would fail the same way. The cluster stops at once instead of respawning workers.
 */
export class PortUnavailableError extends ClusterError {
  /**
   * @param workerId - the worker whose `listen()` failed.
   * @param code - the system error code.
   * @param port - the port it asked for, when the error named one.
   */
  constructor(
    readonly workerId: number,
    readonly code: string,
    readonly port: number | undefined,
  ) {
    super(
      `Worker ${workerId} cannot listen on ${port === undefined ? 'its port' : `port ${port}`}: ${code} ` +
        `(${LISTEN_FAILURES[code] ?? 'the system refused the socket'}). Every worker shares that socket, ` +
        'so no restart can fix it: the cluster stops with exit code 1.',
    );
  }

  /**
   * Whether a failed start is a listen failure that ends the cluster: one of these codes from
   * `bind` (a cluster worker's `listen()` on the primary's socket) or `listen` (the in-process one),
   * never the same code from another call (`EACCES` opening a file).
   */
  static isFatal(failure: {
    readonly code?: string;
    readonly syscall?: string;
  }): failure is { code: string } {
    const { code, syscall } = failure;
    return (
      code !== undefined &&
      Object.hasOwn(LISTEN_FAILURES, code) &&
      (syscall === 'bind' || syscall === 'listen')
    );
  }
}
