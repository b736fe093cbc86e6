import { RollingRestartError } from '../cluster.errors.js';
import { type Slot } from './slot.js';
import { type WorkerExit, type WorkerRecord } from './worker-record.js';

/** What a rolling restart asks of the supervisor. */
export interface RollingRestartSteps {
  /** Whether a shutdown began (the restart then stops where it is). */
  isStopping(): boolean;
  /** Forks a worker for `slot`; a replacement runs beside the worker it replaces. */
  fork(slot: number, isReplacement: boolean): WorkerRecord;
  /** Gracefully stops a worker (mode `restart`); resolves when it exited. */
  stop(record: WorkerRecord): Promise<WorkerExit>;
}

/**
 * Replaces the workers one slot at a time with zero downtime: fork the replacement, wait until it
 * is ready, make it the slot's worker, then stop the old one and wait for it to exit. Dead slots
 * and slots without a ready worker are skipped.
 *
 * @returns `true` when every slot was handled, `false` when a shutdown cut it short.
 * @throws RollingRestartError when a replacement never became ready; the old worker keeps serving
 * and the later slots are left alone.
 */
export async function rollSlots(slots: readonly Slot[], steps: RollingRestartSteps): Promise<boolean> {
  for (const slot of slots) {
    if (steps.isStopping()) return false;
    const old = slot.current;
    if (slot.dead || !old || old.state !== 'ready') continue;
    const replacement = steps.fork(slot.index, true);
    slot.replacement = replacement;
    try {
      await replacement.ready;
    } catch (error) {
      if (steps.isStopping()) return false;
      // The old worker may have crashed meanwhile: then the slot needs a worker of its own again.
      if (!slot.current && !slot.dead) slot.current = steps.fork(slot.index, false);
      throw new RollingRestartError(slot.index, error);
    } finally {
      slot.replacement = undefined;
    }
    if (steps.isStopping()) return false;
    slot.current = replacement;
    await steps.stop(old);
  }
  return true;
}
