/**
 * How the supervisor turns its workers' process events into the cluster's lifecycle events and
 * worker table, published through the primary's hub.
 */
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type LaunchedWorker, type ListeningAddress } from './worker-launcher.js';
import { type WorkerRecord } from './worker-record.js';

/** What the supervisor does on each process event of one worker. */
export interface WorkerEventHandlers {
  /** The process is up. */
  readonly online: () => void;
  /** Its server listens. */
  readonly listening: (address: ListeningAddress) => void;
  /** Its IPC channel closed. */
  readonly disconnect: () => void;
  /** It exited. */
  readonly exit: (code: number | null, signal: string | null) => void;
  /** The process reported an error (e.g. a failed send). */
  readonly error: (error: Error) => void;
}

/**
 * Subscribes `handlers` to the process events of `worker`.
 *
 * @returns a function that unsubscribes them all.
 */
export function watchWorker(worker: LaunchedWorker, handlers: WorkerEventHandlers): () => void {
  const { online, listening, disconnect, exit, error } = handlers;
  worker.on('online', online);
  worker.on('listening', listening);
  worker.on('disconnect', disconnect);
  worker.on('exit', exit);
  worker.on('error', error);
  return () => {
    worker.off('online', online);
    worker.off('listening', listening);
    worker.off('disconnect', disconnect);
    worker.off('exit', exit);
    worker.off('error', error);
  };
}

/** The lifecycle events that carry nothing but the worker. */
export type PlainEventType = 'fork' | 'online' | 'ready' | 'disconnect';

/** Publishes the worker table and lifecycle events of the supervisor's live workers. */
export class LifecyclePublisher {
  /**
   * @param hub - the primary's hub, which publishes locally and to every worker.
   * @param records - the supervisor's live workers, by id.
   */
  constructor(
    private readonly hub: Pick<PrimaryHub, 'publishLifecycle'>,
    private readonly records: ReadonlyMap<number, WorkerRecord>,
  ) {}

  /** The live worker table, ordered by slot then id. */
  snapshot(): WorkerInfo[] {
    return [...this.records.values()]
      .map((record) => record.info())
      .sort((a, b) => a.slot - b.slot || a.id - b.id);
  }

  /** The fields every event about `record` carries. */
  base(record: WorkerRecord): { workerId: number; slot: number; pid: number; at: number } {
    return { workerId: record.id, slot: record.slot, pid: record.pid, at: Date.now() };
  }

  /** Publishes an event that carries nothing but the worker. */
  emit(record: WorkerRecord, type: PlainEventType): void {
    this.publish({ ...this.base(record), type });
  }

  /** Publishes that `record`'s server listens at `address`. */
  listening(record: WorkerRecord, address: ListeningAddress): void {
    this.publish({
      ...this.base(record),
      type: 'listening',
      address: typeof address.address === 'string' ? address.address : null,
      port: typeof address.port === 'number' ? address.port : null,
    });
  }

  /** Publishes `event` with the worker table after it. */
  publish(event: ClusterEvent): void {
    this.hub.publishLifecycle(this.snapshot(), event);
  }

  /** Publishes the worker table alone (a state changed, no event). */
  publishTable(): void {
    this.hub.publishLifecycle(this.snapshot());
  }
}
