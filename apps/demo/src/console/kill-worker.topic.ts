import { defineTopic } from '@nest-hive/cluster';

/** A worker's request that the primary kill another worker (or itself). */
export interface KillWorkerRequest {
  /** `cluster.worker.id` of the worker to kill. */
  readonly workerId: number;
}

/** The worker the primary killed. */
export interface KilledWorker {
  /** Its worker id. */
  readonly id: number;
  /** Its slot, which the supervisor fills again with a replacement. */
  readonly slot: number;
  /** The pid that received `SIGKILL`. */
  readonly pid: number;
}

/**
 * The primary's answer, discriminated by `outcome`:
 * - `killed`: `SIGKILL` was sent (or is about to be, when a worker asked to kill itself);
 * - `unknown`: no live worker has that id (it may have exited already);
 * - `in-process`: the worker runs inside the primary (`WORKERS=0`), so it is not killed.
 */
export type KillWorkerReply =
  | { readonly outcome: 'killed'; readonly worker: KilledWorker }
  | { readonly outcome: 'unknown'; readonly workerId: number }
  | { readonly outcome: 'in-process'; readonly workerId: number };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const isWorkerId = (value: unknown): value is number => Number.isSafeInteger(value);

/** Runtime guard for {@link KillWorkerRequest}. */
export function isKillWorkerRequest(value: unknown): value is KillWorkerRequest {
  return isRecord(value) && isWorkerId(value.workerId);
}

/** Runtime guard for {@link KillWorkerReply}. */
export function isKillWorkerReply(value: unknown): value is KillWorkerReply {
  if (!isRecord(value)) return false;
  switch (value.outcome) {
    case 'killed':
      return (
        isRecord(value.worker) &&
        isWorkerId(value.worker.id) &&
        isWorkerId(value.worker.slot) &&
        isWorkerId(value.worker.pid)
      );
    case 'unknown':
    case 'in-process':
      return isWorkerId(value.workerId);
    default:
      return false;
  }
}

/**
 * Asks the primary to `SIGKILL` one worker. Only the primary answers it, and only when the demo
 * runs with `DEMO_ALLOW_KILL=1`; without that nobody handles the topic at all.
 */
export const KILL_WORKER = defineTopic<KillWorkerRequest, KillWorkerReply>('demo:kill-worker', {
  validate: isKillWorkerRequest,
  validateReply: isKillWorkerReply,
});
