import { type Observable, ReplaySubject, Subject } from 'rxjs';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../supervisor/cluster-event.js';

/**
 * The lifecycle stream and the live worker table of one process: fed by the supervisor in the
 * primary, and by the primary's lifecycle envelopes in a worker.
 */
export class ClusterTable {
  private readonly eventsSubject = new Subject<ClusterEvent>();
  private readonly workersSubject = new ReplaySubject<readonly WorkerInfo[]>(1);
  private latest: readonly WorkerInfo[] | null = null;

  /** Lifecycle events, hot. */
  readonly events$: Observable<ClusterEvent> = this.eventsSubject.asObservable();
  /** The worker table, replaying the latest one to late subscribers. */
  readonly workers$: Observable<readonly WorkerInfo[]> = this.workersSubject.asObservable();

  /** The latest table, or `null` before the first one. */
  get workers(): readonly WorkerInfo[] | null {
    return this.latest;
  }

  /**
   * Publishes a new table, then the event that changed it (if any).
   *
   * @param workers - the table after the event.
   * @param event - the event.
   */
  publish(workers: readonly WorkerInfo[], event?: ClusterEvent): void {
    this.latest = workers;
    this.workersSubject.next(workers);
    if (event) this.eventsSubject.next(event);
  }

  /** Completes both streams. */
  complete(): void {
    this.eventsSubject.complete();
    this.workersSubject.complete();
  }
}
