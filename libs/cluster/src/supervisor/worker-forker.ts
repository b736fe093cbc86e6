import { type LoggerService } from '@nestjs/common';
import { ReadyTimeoutError } from '../cluster.errors.js';
import { CLUSTER_ENV } from '../environment/cluster-environment.js';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type SocketRelay } from '../sticky/socket-relay.js';
import { type SupervisorOptions } from './cluster-controller.interface.js';
import { type LifecyclePublisher, watchWorker } from './worker-events.js';
import { type WorkerLauncher } from './worker-launcher.js';
import { WorkerRecord } from './worker-record.js';

/** What a {@link WorkerForker} works with: the supervisor's settings, registries and exit handler. */
export interface WorkerForkerContext {
  readonly options: SupervisorOptions;
  readonly launcher: WorkerLauncher;
  readonly hub: PrimaryHub;
  readonly relay: SocketRelay;
  readonly records: Map<number, WorkerRecord>;
  readonly events: LifecyclePublisher;
  readonly logger: Pick<LoggerService, 'warn'>;
  /** How many workers the cluster wants now (told to each new worker). */
  desired(): number;
  /** A worker exited. */
  onExit(record: WorkerRecord, code: number | null, signal: string | null): void;
}

/**
 * Forks workers for the supervisor: the environment a worker learns its slot from, its record, its
 * routes (hub, socket relay), its process events, and the ready timeout that kills a worker not
 * ready in time.
 */
export class WorkerForker {
  /** @param context - the supervisor's side. */
  constructor(private readonly context: WorkerForkerContext) {}

  /** Forks a worker for `slot`; a replacement runs beside the worker it replaces. */
  fork(slot: number, isReplacement: boolean): WorkerRecord {
    const { options, launcher, hub, relay, records, events, logger } = this.context;
    const worker = launcher.launch({
      ...options.env,
      [CLUSTER_ENV.clustered]: '1',
      [CLUSTER_ENV.slot]: String(slot),
      [CLUSTER_ENV.workers]: String(this.context.desired()),
      ...(options.sticky && { [CLUSTER_ENV.sticky]: '1' }),
    });
    const record = new WorkerRecord(worker, slot, Date.now(), isReplacement);
    records.set(worker.id, record);
    hub.addWorker(worker);
    relay.add(worker);
    const detach = watchWorker(worker, {
      online: () => events.emit(record, 'online'),
      listening: (address) => events.listening(record, address),
      disconnect: () => {
        hub.removeWorker(record.id);
        events.emit(record, 'disconnect');
      },
      exit: (code, signal) => this.context.onExit(record, code, signal),
      error: (error) => {
        logger.warn(`Worker ${record.id} (slot ${record.slot}): ${error.message}`);
      },
    });
    record.detachers.push(detach);
    record.timer = setTimeout(() => this.onReadyTimeout(record), options.readyTimeoutMs);
    events.emit(record, 'fork');
    return record;
  }

  private onReadyTimeout(record: WorkerRecord): void {
    record.timer = undefined;
    if (record.state !== 'starting') return;
    const { readyTimeoutMs } = this.context.options;
    this.context.logger.warn(
      new ReadyTimeoutError(record.slot, readyTimeoutMs).message + ` Killing worker ${record.id}.`,
    );
    record.kill('ready-timeout');
  }
}
