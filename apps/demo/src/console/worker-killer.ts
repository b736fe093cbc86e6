import cluster from 'node:cluster';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Address, PrimaryRuntime, WorkerInfo } from '@nest-hive/cluster';
import { KILL_WORKER, type KillWorkerReply } from './kill-worker.topic.js';

/** The part of a forked worker's `ChildProcess` the killer uses. */
export interface KillableProcess {
  /** Process id, if the fork produced one. */
  readonly pid?: number | undefined;
  /** Sends a signal. */
  kill(signal: NodeJS.Signals): boolean;
}

/** Finds the process of a worker this primary forked, by worker id. */
export type ForkedProcessLookup = (workerId: number) => KillableProcess | undefined;

/** Looks a worker up in `node:cluster`'s own table of forked workers. */
export const forkedWorkerProcess: ForkedProcessLookup = (workerId) => cluster.workers?.[workerId]?.process;

/** Settings of a {@link WorkerKiller}. */
export interface WorkerKillerOptions {
  /** The primary's live worker table (`null` before the first one). */
  readonly table: () => readonly WorkerInfo[] | null;
  /** Where forked processes are found; default {@link forkedWorkerProcess}. */
  readonly lookup?: ForkedProcessLookup;
  /**
   * How long to wait before killing the worker that asked (so it can still answer its HTTP
   * client); default 250 ms. Other workers are killed at once.
   */
  readonly selfKillDelayMs?: number;
  /** Where each kill is logged (a warning); default a Nest `Logger` named `Console`. */
  readonly logger?: Pick<LoggerService, 'warn'>;
}

/**
 * Runs in the primary and `SIGKILL`s workers for the console. It kills only a worker that is in
 * the primary's live table *and* is a process this primary forked with the same pid, so a stale
 * id, a recycled pid or the in-process worker of `WORKERS=0` (which is the primary itself) is
 * never signalled.
 */
export class WorkerKiller {
  private readonly logger: Pick<LoggerService, 'warn'>;
  private readonly lookup: ForkedProcessLookup;
  private readonly selfKillDelayMs: number;

  constructor(private readonly options: WorkerKillerOptions) {
    this.logger = options.logger ?? new Logger('Console');
    this.lookup = options.lookup ?? forkedWorkerProcess;
    this.selfKillDelayMs = options.selfKillDelayMs ?? 250;
  }

  /**
   * Kills worker `workerId` with `SIGKILL`, as asked by `requester`.
   *
   * @returns what happened; never throws for an unknown worker.
   */
  kill(workerId: number, requester: Address): KillWorkerReply {
    const row = this.options.table()?.find((worker) => worker.id === workerId);
    if (!row) return { outcome: 'unknown', workerId };
    if (row.pid === process.pid) return { outcome: 'in-process', workerId };
    const child = this.lookup(workerId);
    // Gone between the table update and now, or not the process the table names: never signal it.
    if (!child || child.pid !== row.pid) return { outcome: 'unknown', workerId };
    const worker = { id: row.id, slot: row.slot, pid: row.pid };
    const asker = requester === 'primary' ? 'the primary' : `worker ${requester}`;
    this.logger.warn(
      `Killing worker ${worker.id} (slot ${worker.slot}, pid ${worker.pid}) with SIGKILL, as ${asker} asked`,
    );
    const send = (): void => {
      try {
        child.kill('SIGKILL');
      } catch {
        // it exited meanwhile: the supervisor already replaces it
      }
    };
    if (requester === workerId) setTimeout(send, this.selfKillDelayMs).unref();
    else send();
    return { outcome: 'killed', worker };
  }
}

/**
 * Registers the {@link KILL_WORKER} handler on the primary runtime. Call it from the `primary()`
 * factory of `bootstrapCluster`, and only when killing is allowed.
 *
 * @returns a function that removes the handler.
 * @example
 * ```ts
 * await bootstrapCluster({ primary: async (runtime) => void attachWorkerKiller(runtime), worker });
 * ```
 */
export function attachWorkerKiller(runtime: PrimaryRuntime): () => void {
  let latest: readonly WorkerInfo[] = [];
  const table = runtime.workers$.subscribe((workers) => (latest = workers));
  const killer = new WorkerKiller({ table: () => latest });
  const remove = runtime.handle(KILL_WORKER, ({ workerId }, context) => killer.kill(workerId, context.from));
  return () => {
    remove();
    table.unsubscribe();
  };
}
