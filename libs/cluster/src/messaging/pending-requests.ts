import { Observable, Subject, finalize, map, merge, take, throwError, timeout } from 'rxjs';
import { ClusterTimeoutError } from '../cluster.errors.js';
import { type Address } from '../cluster.interfaces.js';
import { type ErrorReplyEnvelope, type ReplyEnvelope } from '../ipc/envelope.js';

/** An answer to a pending request. */
export type Answer = ReplyEnvelope | ErrorReplyEnvelope;

interface Entry {
  readonly target: Address;
  readonly topic: string;
  readonly answer: (envelope: Answer) => void;
  readonly fail: (error: Error) => void;
}

/** What `track` needs to run one request. */
export interface TrackedRequest<T> {
  /** Correlation id of the outgoing envelope. */
  readonly id: string;
  /** Topic, for errors. */
  readonly topic: string;
  /** Who is asked. */
  readonly target: Address;
  /** Timeout in ms. */
  readonly timeoutMs: number;
  /** Sends the envelope; a rejection fails the request. */
  readonly send: () => Promise<void>;
  /** Turns the answer into the value, or throws the error it carries. */
  readonly decode: (answer: Answer) => T;
}

/**
 * The table of requests awaiting an answer, keyed by correlation id. Each request is a cold
 * observable: subscribing registers it and sends it; the first answer (or a failure pushed by
 * `failWhere`) settles it, raced against a timeout; `finalize` removes the entry in every case,
 * so the table returns to empty and late answers are dropped.
 */
export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  /** Number of requests awaiting an answer. */
  get size(): number {
    return this.entries.size;
  }

  /** Runs a request when subscribed; see the class description. */
  track<T>(request: TrackedRequest<T>): Observable<T> {
    const { id, topic, target, timeoutMs } = request;
    return new Observable<T>((subscriber) => {
      const answers = new Subject<Answer>();
      const failures = new Subject<never>();
      this.entries.set(id, {
        target,
        topic,
        answer: (envelope) => answers.next(envelope),
        fail: (error) => failures.error(error),
      });
      const subscription = merge(answers.pipe(map(request.decode)), failures)
        .pipe(
          take(1),
          timeout({
            first: timeoutMs,
            with: () => throwError(() => new ClusterTimeoutError(topic, target, timeoutMs)),
          }),
          finalize(() => this.entries.delete(id)),
        )
        .subscribe(subscriber);
      request.send().catch((error: unknown) => {
        failures.error(error instanceof Error ? error : new Error(String(error)));
      });
      return subscription;
    });
  }

  /** Hands an answer to its request. Returns `false` (and drops it) when nobody waits for it any more. */
  settle(answer: Answer): boolean {
    const entry = this.entries.get(answer.id);
    if (!entry) return false;
    entry.answer(answer);
    return true;
  }

  /** Fails every pending request that `predicate` selects, with the error `toError` builds. */
  failWhere(
    predicate: (target: Address) => boolean,
    toError: (topic: string, target: Address) => Error,
  ): void {
    for (const entry of [...this.entries.values()]) {
      if (predicate(entry.target)) entry.fail(toError(entry.topic, entry.target));
    }
  }
}
