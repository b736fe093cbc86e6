import { type LoggerService } from '@nestjs/common';
import { type SignalHandler } from '../process-state.js';

/** What {@link scalingSignals} acts on. */
export interface ScalingSignalsTarget {
  /** How many workers the cluster wants now. */
  desired(): number;
  /** Scales the cluster (rejects when it cannot now). */
  scale(workers: number): Promise<void>;
  /** Where the signals and refusals are logged. */
  readonly logger: Pick<LoggerService, 'log' | 'error'>;
}

/**
 * The handlers of `SIGTTIN` and `SIGTTOU` (gunicorn's and unicorn's convention): one worker more or
 * less each, never fewer than one. A signal that arrives during a scaling moves its target, and the
 * cluster scales on to the last one; a refusal (a rolling restart runs) is logged.
 */
export function scalingSignals(target: ScalingSignalsTarget): Record<'SIGTTIN' | 'SIGTTOU', SignalHandler> {
  const { logger } = target;
  let wanted: number | undefined;
  let following = false;
  const follow = async (): Promise<void> => {
    following = true;
    try {
      while (wanted !== undefined && wanted !== target.desired()) await target.scale(wanted);
    } catch (error) {
      logger.error(error instanceof Error ? error.message : String(error));
    } finally {
      wanted = undefined;
      following = false;
    }
  };
  const by =
    (step: 1 | -1): SignalHandler =>
    (signal) => {
      const workers = (wanted ?? target.desired()) + step;
      if (workers < 1) {
        logger.log(`${signal} received: already at one worker, the fewest there can be`);
        return;
      }
      logger.log(`${signal} received: scaling to ${workers} worker(s)`);
      wanted = workers;
      if (!following) void follow();
    };
  return { SIGTTIN: by(1), SIGTTOU: by(-1) };
}
