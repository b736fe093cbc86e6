import { type Address } from '../cluster.interfaces.js';
import { QueueFullError } from '../cluster.errors.js';
import { batchEnvelope } from '../wire/envelope.build.js';
import { type IpcStats } from './ipc-stats.js';

/**
 * The raw side of an IPC channel: `process` in a worker, a `cluster.Worker` in the primary.
 * `send` must follow Node's contract: it returns `false` when the channel's backlog is high,
 * and reports the outcome of the write (or a closed channel) to `callback`, never as an `'error'` event.
 */
export interface IpcTarget {
  /** Whether the channel is still open. */
  isConnected(): boolean;
  /** Writes one message; see Node's `process.send` / `worker.send`. */
  send(message: object, callback: (error: Error | null) => void): boolean;
}

interface Queued {
  readonly message: object;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Options of an `IpcChannel`. */
export interface IpcChannelOptions {
  /** The peer at the other end, for error messages. */
  readonly peer: Address;
  /** How many messages may wait for the channel to drain before sends are refused. */
  readonly maxQueuedMessages: number;
  /** Builds the error for a send on a closed channel. */
  readonly unavailable: () => Error;
  /** The process' counters: each message written counts as sent. */
  readonly stats?: IpcStats;
}

/** Most messages coalesced into one write. */
const MAX_BATCH_MESSAGES = 256;
/** Most (estimated) bytes coalesced into one write. */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * One direction of an IPC channel with backpressure and write coalescing.
 *
 * - Messages sent in the same tick are written together at the end of it
 *   (one microtask later, so no latency is added): a single message as
 *   itself, several as one `batch` envelope, which the receiver unpacks in
 *   order. Bursts cost one write instead of one per message.
 * - While the OS pipe keeps up, writes go straight to `send`. Once `send`
 *   returns `false`, later messages wait in a FIFO queue until the callback
 *   of that write reports it flushed (the backlog drained); past
 *   `maxQueuedMessages` they are refused with `QueueFullError`.
 * - Order is always kept, and each message's promise settles with the
 *   outcome of the write that carried it.
 */
export class IpcChannel {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private blocked = false;
  private closed = false;
  private flushScheduled = false;

  /**
   * @param target - the raw channel.
   * @param options - limits and error factories.
   */
  constructor(
    private readonly target: IpcTarget,
    private readonly options: IpcChannelOptions,
  ) {}

  /** Messages waiting for the channel to drain. */
  get queued(): number {
    return this.blocked ? this.queue.length : 0;
  }

  /** Whether the channel has reported a full backlog and has not drained yet. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /**
   * Sends `message`, resolving once Node has written it to the channel.
   * Rejects with the `unavailable` error when the channel is closed, and with
   * `QueueFullError` when too many messages already wait for a drain.
   *
   * @param bytesHint - an estimate of the message's serialized size, to bound batches.
   */
  send(message: object, bytesHint = 0): Promise<void> {
    if (this.closed || !this.target.isConnected()) {
      return Promise.reject(this.options.unavailable());
    }
    if (this.blocked && this.queue.length >= this.options.maxQueuedMessages) {
      return Promise.reject(new QueueFullError(this.options.peer, this.options.maxQueuedMessages));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.queuedBytes += bytesHint;
      if (this.queue.length >= MAX_BATCH_MESSAGES || this.queuedBytes >= MAX_BATCH_BYTES) this.flush();
      else this.scheduleFlush();
    });
  }

  /** Refuses further sends and rejects the queued ones. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = this.options.unavailable();
    this.queuedBytes = 0;
    for (const item of this.queue.splice(0)) item.reject(error);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.blocked) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (!this.blocked && !this.closed && this.queue.length > 0) {
      const items = this.queue.splice(0, MAX_BATCH_MESSAGES);
      this.queuedBytes = this.queue.length === 0 ? 0 : this.queuedBytes;
      this.write(items);
    }
  }

  private write(items: Queued[]): void {
    let accepted = true;
    let flushed = false;
    const onWritten = (error: Error | null): void => {
      flushed = true;
      const failure = error ? this.options.unavailable() : undefined;
      for (const item of items) {
        if (failure) item.reject(failure);
        else item.resolve();
      }
      if (this.blocked && !accepted) {
        this.blocked = false;
        this.flush();
      }
    };
    const message =
      items.length === 1 ? items[0].message : batchEnvelope({ items: items.map((item) => item.message) });
    try {
      accepted = this.target.send(message, onWritten);
    } catch (error) {
      // Serialization failures are caught before sending; anything else means the channel is unusable.
      const failure = error instanceof Error ? error : this.options.unavailable();
      for (const item of items) item.reject(failure);
      return;
    }
    if (this.options.stats) this.options.stats.messagesSent += items.length;
    if (!accepted && !flushed) this.blocked = true;
  }
}
