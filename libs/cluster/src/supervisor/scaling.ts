import { type LoggerService } from '@nestjs/common';
import { InvalidClusterOptionsError } from '../cluster.errors.js';
import { type Slot } from './slot.js';
import { type WorkerExit, type WorkerRecord } from './worker-record.js';

/** The most workers `scale()` accepts: far above any machine's cores, low enough to catch a typo. */
export const MAX_SCALED_WORKERS = 1_024;

/** What changing the number of slots asks of the supervisor. */
export interface ScalingSteps {
  /** A fresh, empty slot at `index`. */
  createSlot(index: number): Slot;
  /** Forks the first worker of slot `index`. */
  fork(index: number): WorkerRecord;
  /** Gracefully stops a worker the way a rolling restart does (HTTP drained); resolves when it exited. */
  stop(record: WorkerRecord): Promise<WorkerExit>;
}

/**
 * Checks a wanted number of workers.
 *
 * @throws InvalidClusterOptionsError unless it is a whole number from 1 to {@link MAX_SCALED_WORKERS}.
 */
export function checkScale(workers: unknown): number {
  if (
    typeof workers !== 'number' ||
    !Number.isSafeInteger(workers) ||
    workers < 1 ||
    workers > MAX_SCALED_WORKERS
  ) {
    throw new InvalidClusterOptionsError(
      'scale(workers)',
      `must be a whole number from 1 to ${MAX_SCALED_WORKERS}; got ${String(workers)}`,
    );
  }
  return workers;
}

/** Adds slots (each with a new worker) until there are `workers`; returns the new slots. */
export function growSlots(slots: Slot[], workers: number, steps: ScalingSteps): Slot[] {
  const added: Slot[] = [];
  while (slots.length < workers) {
    const slot = steps.createSlot(slots.length);
    slots.push(slot);
    slot.current = steps.fork(slot.index);
    added.push(slot);
  }
  return added;
}

/**
 * Removes the highest slots until there are `workers`: each is taken out of `slots` first (so its
 * workers' exits are expected and never respawned), then its workers stop gracefully, in-flight
 * requests finishing and keep-alive clients told to reconnect, as in a rolling restart.
 * Resolves once they exited.
 */
export async function shrinkSlots(slots: Slot[], workers: number, steps: ScalingSteps): Promise<void> {
  const stopping: Promise<WorkerExit>[] = [];
  while (slots.length > workers) {
    const slot = slots.pop() as Slot;
    if (slot.respawnTimer) clearTimeout(slot.respawnTimer);
    slot.respawnTimer = undefined;
    slot.dead = true;
    for (const record of [slot.current, slot.replacement]) {
      if (record) stopping.push(steps.stop(record));
    }
  }
  await Promise.all(stopping);
}

/** What a whole scaling asks of the supervisor, beyond the {@link ScalingSteps}. */
export interface ScalingRun extends ScalingSteps {
  /** Tells who follows the wanted count (the worker table). */
  announce(): void;
  /** Resolves once the new slots' workers are ready (rejects if one falls into a crash loop). */
  settled(added: readonly Slot[]): Promise<void>;
  /** Publishes the worker table. */
  publishTable(): void;
  readonly logger: Pick<LoggerService, 'log'>;
}

/** Grows or shrinks `slots` to `workers`, logging the start and the end. */
export async function scaleSlots(slots: Slot[], workers: number, run: ScalingRun): Promise<void> {
  const from = slots.length;
  run.announce();
  run.logger.log(`Scaling from ${from} to ${workers} worker(s)`);
  if (workers > from) await run.settled(growSlots(slots, workers, run));
  else await shrinkSlots(slots, workers, run);
  run.publishTable();
  run.logger.log(`Scaled to ${workers} worker(s)`);
}
