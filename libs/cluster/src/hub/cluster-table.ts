import { type Observable, ReplaySubject, Subject, concat, defer, from } from 'rxjs';
import { type WorkerInfo, type WorkersSnapshot } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';

/** At most this many start-up events are kept for late subscribers. */
const STARTUP_HISTORY_LIMIT = 1_000;

/**
 * The lifecycle stream and the live worker table of one process: fed by the supervisor in the
 * primary, and by the primary's lifecycle envelopes in a worker.
 */
export class ClusterTable {
  private readonly eventsSubject = new Subject<ClusterEvent>();
  private readonly workersSubject = new ReplaySubject<readonly WorkerInfo[]>(1);
  private latest: readonly WorkerInfo[] | null = null;
  private readonly startup: ClusterEvent[] = [];
  private recordingStartup = true;
  private desiredWorkers = 0;
  private readonly seenSlots = new Set<number>();
  private readonly givenUp = new Set<number>();
  private restartCount = 0;
  private readonly recycles = { memory: 0, hang: 0, 'max-age': 0 };
  private shuttingDown = false;

  /** Lifecycle events, hot. */
  readonly events$: Observable<ClusterEvent> = this.eventsSubject.asObservable();

  /**
   * Lifecycle events for subscribers that may come late: first the start-up events (from the
   * first fork until `endStartup()`), then live ones, so a subscriber after
   * `await bootstrapCluster()` still sees every worker's fork, online and ready.
   */
  readonly eventsSinceStart$: Observable<ClusterEvent> = defer(() =>
    concat(from([...this.startup]), this.eventsSubject),
  );
  /** The worker table, replaying the latest one to late subscribers. */
  readonly workers$: Observable<readonly WorkerInfo[]> = this.workersSubject.asObservable();

  /** The latest table, or `null` before the first one. */
  get workers(): readonly WorkerInfo[] | null {
    return this.latest;
  }

  /** Sets how many workers the cluster should run (`bootstrapCluster`'s `workers`, 1 for loopback). */
  setDesired(workers: number): void {
    this.desiredWorkers = workers;
  }

  /** Marks the cluster as shutting down, from now on (see `WorkersSnapshot.shuttingDown`). */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /** The table with the primary's pid, the desired count, the given-up slots, the restarts and recycles. */
  snapshot(): WorkersSnapshot {
    return {
      primary: { pid: process.pid },
      workers: this.latest ?? [],
      desired: this.desiredWorkers,
      givenUpSlots: [...this.givenUp].sort((a, b) => a - b),
      restarts: this.restartCount,
      recycles: { ...this.recycles },
      shuttingDown: this.shuttingDown,
    };
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
    if (!event) return;
    this.count(event);
    if (this.recordingStartup && this.startup.length < STARTUP_HISTORY_LIMIT) this.startup.push(event);
    this.eventsSubject.next(event);
  }

  private count(event: ClusterEvent): void {
    if (event.type === 'fork') {
      if (this.seenSlots.has(event.slot)) this.restartCount++;
      else this.seenSlots.add(event.slot);
    } else if (event.type === 'crash-loop') {
      this.givenUp.add(event.slot);
    } else if (event.type === 'recycle') {
      this.recycles[event.reason]++;
    }
  }

  /** Stops recording start-up events; those recorded so far stay for late subscribers. */
  endStartup(): void {
    this.recordingStartup = false;
  }

  /** Completes both streams. */
  complete(): void {
    this.eventsSubject.complete();
    this.workersSubject.complete();
  }
}
