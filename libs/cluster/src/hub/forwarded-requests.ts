import { type Address } from '../cluster.interfaces.js';
import { type MessageEnvelope, type RequestEnvelope } from '../wire/envelope.types.js';

interface Forwarded {
  readonly envelope: RequestEnvelope | MessageEnvelope;
  readonly expiresAt: number;
}

/** Grace added to a forwarded request's own timeout before the primary forgets it. */
const EXPIRY_GRACE_MS = 1_000;

/**
 * Requests (and receipted messages) the primary forwarded from one worker to another, so that
 * when the target exits the caller is told at once instead of waiting for its timeout.
 * Entries leave on reply, on target exit, or after the caller's own timeout has passed.
 */
export class ForwardedRequests {
  private readonly entries = new Map<string, Forwarded>();
  private sweeper: NodeJS.Timeout | undefined;

  /** Number of forwarded requests awaiting an answer. */
  get size(): number {
    return this.entries.size;
  }

  /** Remembers a forwarded request until it is answered. */
  track(envelope: RequestEnvelope | MessageEnvelope, timeoutMs: number): void {
    this.entries.set(this.key(envelope.from, envelope.id), {
      envelope,
      expiresAt: Date.now() + timeoutMs + EXPIRY_GRACE_MS,
    });
    this.sweeper ??= setInterval(() => this.sweep(), EXPIRY_GRACE_MS).unref();
  }

  /** Forgets the request answered by a reply travelling to `to` with `id`. */
  settle(to: Address, id: string): void {
    this.entries.delete(this.key(to, id));
    this.stopIfEmpty();
  }

  /** Removes and returns the requests that were waiting on `workerId`, or were sent by it. */
  takeInvolving(workerId: number): Array<RequestEnvelope | MessageEnvelope> {
    const taken: Array<RequestEnvelope | MessageEnvelope> = [];
    for (const [key, entry] of this.entries) {
      if (entry.envelope.to === workerId || entry.envelope.from === workerId) {
        this.entries.delete(key);
        if (entry.envelope.from !== workerId) taken.push(entry.envelope);
      }
    }
    this.stopIfEmpty();
    return taken;
  }

  /** Forgets everything and stops the sweeper. */
  clear(): void {
    this.entries.clear();
    this.stopIfEmpty();
  }

  private key(from: Address, id: string): string {
    return `${from}|${id}`;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    this.stopIfEmpty();
  }

  private stopIfEmpty(): void {
    if (this.entries.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
