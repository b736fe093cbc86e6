import { Observable } from 'rxjs';
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { ClusterTimeoutError, PrimaryUnavailableError, WorkerExitedError } from '../cluster.errors.js';
import { type IpcStats } from '../ipc/ipc-stats.js';
import { type Address } from '../cluster.interfaces.js';
import { type ErrorReplyEnvelope, type ReplyEnvelope } from '../wire/envelope.types.js';

/** An answer to a pending request. */
export type Answer = ReplyEnvelope | ErrorReplyEnvelope;

interface Entry {
  readonly target: Address;
  readonly topic: string;
  readonly answer: (envelope: Answer) => void;
  readonly fail: (error: Error) => void;
}

/** What `start` needs to run one request. */
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

/** A running request: its outcome, and a way to give up on it. */
interface Running<T> {
  readonly outcome: Promise<T>;
  readonly cancel: () => void;
}

/**
 * The table of requests awaiting an answer, keyed by correlation id. A
 * request is registered, then sent; the first of its answer, a failure
 * pushed by `failWhere`, a failed send or its timeout (`ClusterTimeoutError`)
 * settles it, and the entry and its timer are removed in every case, so the
 * table returns to empty and late answers are dropped.
 *
 * It is promise-first: one entry and one timer per request, no per-request
 * streams on the hot path; `track` gives the cold observable form.
 */
export class PendingRequests {
  private readonly entries = new Map<string, Entry>();

  /** @param stats - the process' counters: pending requests, timeouts and late replies (optional). */
  constructor(
    private readonly stats?: Pick<IpcStats, 'pendingRequests' | 'requestTimeouts' | 'lateReplies'>,
  ) {}

  /** Number of requests awaiting an answer. */
  get size(): number {
    return this.entries.size;
  }

  /** Registers and sends a request; resolves with its decoded answer. */
  start<T>(request: TrackedRequest<T>): Promise<T> {
    return this.run(request).outcome;
  }

  /** The cold form: subscribing starts the request, unsubscribing gives up on it. */
  track<T>(request: TrackedRequest<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const running = this.run(request);
      running.outcome.then(
        (value) => {
          subscriber.next(value);
          subscriber.complete();
        },
        (error: unknown) => subscriber.error(error),
      );
      return running.cancel;
    });
  }

  /**
   * Hands an answer to its request. Returns `false` when nobody waits for it any more (its request
   * timed out, failed or was given up): the answer is dropped and counted as a late reply.
   */
  settle(answer: Answer): boolean {
    const entry = this.entries.get(answer.id);
    if (!entry) {
      if (this.stats) this.stats.lateReplies++;
      return false;
    }
    entry.answer(answer);
    return true;
  }

  /**
   * Fails the requests `address` can no longer answer because it went away: all of them when it
   * is the primary (this worker's channel closed; `PrimaryUnavailableError`), else those sent to
   * that worker (`WorkerExitedError`).
   */
  failPeerGone(address: Address): void {
    if (address === PRIMARY_ADDRESS) {
      this.failWhere(
        () => true,
        () => new PrimaryUnavailableError(),
      );
    } else {
      this.failWhere(
        (target) => target === address,
        (topic) => new WorkerExitedError(address, topic),
      );
    }
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

  private run<T>(request: TrackedRequest<T>): Running<T> {
    const { id, topic, target, timeoutMs } = request;
    let cancel: () => void = () => undefined;
    const outcome = new Promise<T>((resolve, reject) => {
      const finish = (): boolean => {
        if (this.entries.get(id) !== entry) return false;
        this.entries.delete(id);
        if (this.stats) this.stats.pendingRequests--;
        clearTimeout(timer);
        return true;
      };
      const entry: Entry = {
        target,
        topic,
        answer: (envelope) => {
          if (!finish()) return;
          try {
            resolve(request.decode(envelope));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        fail: (error) => {
          if (finish()) reject(error);
        },
      };
      const timer = setTimeout(() => {
        if (this.stats && this.entries.get(id) === entry) this.stats.requestTimeouts++;
        entry.fail(new ClusterTimeoutError(topic, target, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.entries.set(id, entry);
      if (this.stats) this.stats.pendingRequests++;
      cancel = () => void finish();
      request
        .send()
        .catch((error: unknown) => entry.fail(error instanceof Error ? error : new Error(String(error))));
    });
    return { outcome, cancel };
  }
}
