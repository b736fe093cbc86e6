import { type LoggerService } from '@nestjs/common';
import { DEFAULT_RECYCLE_OPTIONS, type ResolvedRecycleOptions } from '../bootstrap/recycle.options.js';
import { rollSlots } from './rolling-restart.js';
import { type Slot } from './slot.js';
import { type SupervisorPhase } from './supervisor-phase.js';
import { type LifecyclePublisher } from './worker-events.js';
import { type WatchedWorker, type RuleBreach } from './worker-rules.js';
import { type WorkerExit, type WorkerRecord } from './worker-record.js';

/** The rules of a supervisor started without `recycle` (unit specs): none. */
export const NO_RECYCLE_RULES: ResolvedRecycleOptions = { ...DEFAULT_RECYCLE_OPTIONS, hangTimeoutMs: null };

/** What {@link recycleWorker} asks of the supervisor. */
export interface RecycleSteps {
  readonly slots: readonly Slot[];
  readonly phase: SupervisorPhase;
  readonly events: LifecyclePublisher;
  readonly logger: Pick<LoggerService, 'warn' | 'log' | 'error'>;
  /** Forks a worker for `slot`; a replacement runs beside the worker it replaces. */
  readonly fork: (slot: number, isReplacement: boolean) => WorkerRecord;
  /** Gracefully stops a worker (mode `restart`). */
  readonly stop: (record: WorkerRecord) => Promise<WorkerExit>;
}

/** The workers the rules watch: each slot's ready worker, unless a rolling restart replaces it. */
export function* watchedWorkers(slots: readonly Slot[]): Iterable<WatchedWorker> {
  for (const slot of slots) {
    const record = slot.current;
    if (record?.state === 'ready' && !slot.replacement && !slot.dead) {
      yield { record, slot: slot.index, slots: slots.length };
    }
  }
}

/**
 * Replaces a worker that broke a restart rule, and says so (a `recycle` event and a log line):
 * - a hung worker is killed: its slot is respawned like after a crash;
 * - a worker over the memory limit or its age is replaced like in a rolling restart, one at a time
 *   (phase `recycling`); while a rolling restart or a scaling runs, it waits for the rule to fire
 *   again at a later heartbeat.
 */
export async function recycleWorker(
  record: WorkerRecord,
  breach: RuleBreach,
  steps: RecycleSteps,
): Promise<void> {
  const { slots, phase, events, logger } = steps;
  const slot = slots[record.slot];
  const announce = (): void => {
    logger.warn(`Worker ${record.id} (slot ${record.slot}) recycled (${breach.reason}): ${breach.detail}.`);
    events.publish({ ...events.base(record), type: 'recycle', reason: breach.reason, detail: breach.detail });
  };
  if (breach.reason === 'hang') {
    announce();
    record.kill('hang');
    return;
  }
  if (phase.current !== 'running' || !slot || slot.current !== record) {
    record.health.breached = false;
    return;
  }
  announce();
  try {
    await phase.exclusive('recycling', async () => {
      await rollSlots([slot], { isStopping: () => phase.stopping, fork: steps.fork, stop: steps.stop });
    });
  } catch (error) {
    record.health.breached = false;
    logger.error(
      `Recycling worker ${record.id} (slot ${record.slot}) failed, it keeps serving: ` +
        (error instanceof Error ? error.message : String(error)),
    );
  }
}
