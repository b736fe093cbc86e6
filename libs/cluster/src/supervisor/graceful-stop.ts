import { type Logger } from '@nestjs/common';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type StopMode } from '../wire/envelope.types.js';
import { type WorkerExit, type WorkerRecord } from './worker-record.js';

/** What a graceful stop of one worker needs. */
export interface GracefulStop {
  /** The primary's hub, to send the shutdown envelope. */
  readonly hub: Pick<PrimaryHub, 'sendControl' | 'shutdownEnvelope'>;
  /** Whether the whole cluster stops or the worker is replaced. */
  readonly mode: StopMode;
  /** How long the worker has before it is killed. */
  readonly shutdownTimeoutMs: number;
  /** Where the kill is reported. */
  readonly logger: Pick<Logger, 'warn'>;
}

/**
 * Asks a worker to stop: a shutdown envelope over its channel (SIGTERM, which the worker also
 * treats as a graceful stop, when the channel is gone), then a kill if it has not exited within
 * `shutdownTimeoutMs`. The kill timer is kept on the record, which clears it on exit.
 */
export function requestStop(record: WorkerRecord, stop: GracefulStop): void {
  const { hub, mode, shutdownTimeoutMs, logger } = stop;
  hub.sendControl(record.id, hub.shutdownEnvelope(record.id, mode)).catch(() => {
    try {
      record.worker.kill('SIGTERM');
    } catch {
      // already gone
    }
  });
  record.timer = setTimeout(() => {
    logger.warn(
      `Worker ${record.id} (slot ${record.slot}) did not stop within ${shutdownTimeoutMs} ms; killing it.`,
    );
    record.kill('shutdown-timeout');
  }, shutdownTimeoutMs);
}

/**
 * Stops a worker on purpose, once: marks it stopping (its exit is then expected, never respawned),
 * publishes the table, and {@link requestStop}s it. Resolves when it exited.
 */
export function stopWorker(
  record: WorkerRecord,
  stop: GracefulStop & { readonly publishTable: () => void },
): Promise<WorkerExit> {
  if (record.exitedWith || record.stopRequested) return record.exited;
  record.stopRequested = true;
  record.state = 'stopping';
  record.clearTimer();
  stop.publishTable();
  requestStop(record, stop);
  return record.exited;
}
