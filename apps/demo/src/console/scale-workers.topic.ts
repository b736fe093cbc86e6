import { defineTopic } from '@nest-hive/cluster';

/** The most workers the console may ask for: enough to watch a scaling, not enough to swamp a laptop. */
export const CONSOLE_MAX_WORKERS = 8;

/** A worker's request that the primary run this many workers. */
export interface ScaleWorkersRequest {
  /** 1 to {@link CONSOLE_MAX_WORKERS}. */
  readonly workers: number;
}

/**
 * The primary's answer, discriminated by `outcome`:
 * - `scaling`: the cluster now wants `desired` workers; the table shows them come or go;
 * - `refused`: it cannot scale now (a rolling restart or another scaling runs, or `WORKERS=0`).
 */
export type ScaleWorkersReply =
  | { readonly outcome: 'scaling'; readonly desired: number }
  | { readonly outcome: 'refused'; readonly reason: string };

/** Whether `value` is a worker count the console may ask for. */
export function isConsoleWorkerCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= CONSOLE_MAX_WORKERS;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * Asks the primary to scale the cluster. Only the primary answers it, and only when the demo runs
 * with `DEMO_ALLOW_KILL=1`; without that nobody handles the topic at all.
 */
export const SCALE_WORKERS = defineTopic<ScaleWorkersRequest, ScaleWorkersReply>('demo:scale-workers', {
  validate: (value): value is ScaleWorkersRequest => isRecord(value) && isConsoleWorkerCount(value.workers),
  validateReply: (value): value is ScaleWorkersReply =>
    isRecord(value) &&
    ((value.outcome === 'scaling' && isConsoleWorkerCount(value.desired)) ||
      (value.outcome === 'refused' && typeof value.reason === 'string')),
});
