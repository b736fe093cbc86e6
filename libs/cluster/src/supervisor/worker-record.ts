import { type LaunchedWorker } from './worker-launcher.js';
import { type WorkerInfo, type WorkerState } from '../cluster.interfaces.js';
import { type WorkerExitReason } from '../wire/cluster-event.js';

/** How a worker process ended. */
export interface WorkerExit {
  /** Exit code, or `null` when killed by a signal. */
  readonly code: number | null;
  /** Killing signal, or `null`. */
  readonly signal: string | null;
  /** The supervisor's reading of it. */
  readonly reason: WorkerExitReason;
}

/** What the restart rules know of a worker (see `WorkerRules`). */
export interface WorkerHealth {
  /** When it last answered a heartbeat (or became ready), epoch ms. */
  lastAnswerAt: number;
  /** Its resident set size at its last answer, or `null` before the first. */
  rssBytes: number | null;
  /** Answers in a row above the memory limit. */
  memoryStrikes: number;
  /** A rule fired for it: it is being replaced. */
  breached: boolean;
}

/** The supervisor's bookkeeping for one forked worker. */
export class WorkerRecord {
  /** Where the worker is in its life. */
  state: WorkerState = 'starting';
  /** When it became ready. */
  readyAt: number | null = null;
  /** Set when the supervisor stops it on purpose: it is then never respawned. */
  stopRequested = false;
  /** Set before the supervisor kills it, to explain the exit. */
  killReason: WorkerExitReason | null = null;
  /** Pending ready-timeout or kill timer. */
  timer: NodeJS.Timeout | undefined;
  /** Whether it exited. */
  exitedWith: WorkerExit | null = null;
  /** Resolves when ready; rejects if it exits first. Always handled, so it never goes unhandled. */
  readonly ready: Promise<void>;
  /** Resolves when the process exited. */
  readonly exited: Promise<WorkerExit>;
  /** What the worker reported when its worker() factory failed, if it did. */
  startFailure: { readonly name: string; readonly message: string } | null = null;
  /** What the restart rules know of it. */
  readonly health: WorkerHealth = { lastAnswerAt: 0, rssBytes: null, memoryStrikes: 0, breached: false };
  /** Listeners on the worker, removed when it exits. */
  readonly detachers: Array<() => void> = [];

  private settleReady!: (error?: Error) => void;
  private settleExit!: (exit: WorkerExit) => void;

  /**
   * @param worker - the forked worker.
   * @param slot - its slot.
   * @param startedAt - when it was forked.
   * @param isReplacement - forked by a rolling restart while the old worker still serves the slot.
   */
  constructor(
    readonly worker: LaunchedWorker,
    readonly slot: number,
    readonly startedAt: number,
    readonly isReplacement: boolean,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise<WorkerExit>((resolve) => {
      this.settleExit = resolve;
    });
  }

  /** `cluster.worker.id`. */
  get id(): number {
    return this.worker.id;
  }

  /** Process id (`-1` if the fork failed before a pid existed). */
  get pid(): number {
    return this.worker.pid ?? -1;
  }

  /** Row of the worker table. */
  info(): WorkerInfo {
    return {
      id: this.id,
      slot: this.slot,
      pid: this.pid,
      state: this.state,
      startedAt: this.startedAt,
      readyAt: this.readyAt,
    };
  }

  /** Marks it ready. */
  markReady(at: number): void {
    this.readyAt = at;
    this.health.lastAnswerAt = at;
    this.state = 'ready';
    this.clearTimer();
    this.settleReady();
  }

  /** Marks it exited, failing `ready` if it never got there. */
  markExited(exit: WorkerExit, notReady: Error): void {
    this.exitedWith = exit;
    this.clearTimer();
    for (const detach of this.detachers.splice(0)) detach();
    if (this.readyAt === null) this.settleReady(notReady);
    this.settleExit(exit);
  }

  /** Why it ended, in words for a log line: `worker 3 (slot 1) failed to start: Error: ...`. */
  describeFailure(readyTimeoutMs: number): string {
    const who = `worker ${this.id} (slot ${this.slot})`;
    const exit = this.exitedWith;
    if (this.startFailure)
      return `${who} failed to start: ${this.startFailure.name}: ${this.startFailure.message}`;
    if (exit?.reason === 'ready-timeout')
      return `${who} was not ready within readyTimeoutMs (${readyTimeoutMs} ms)`;
    const how = exit ? `with code ${exit.code}, signal ${exit.signal}` : 'unexpectedly';
    return this.readyAt === null ? `${who} exited ${how} before it was ready` : `${who} crashed ${how}`;
  }

  /** Clears the pending timer. */
  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends SIGKILL, recording why. Never throws. */
  kill(reason: WorkerExitReason): void {
    if (this.exitedWith) return;
    this.killReason ??= reason;
    try {
      this.worker.kill('SIGKILL');
    } catch {
      // already gone: its exit event follows
    }
  }
}
