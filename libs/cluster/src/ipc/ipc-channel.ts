import { type Address } from '../cluster.interfaces.js';
import { QueueFullError } from '../cluster.errors.js';

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
}

/**
 * One direction of an IPC channel with backpressure. While the OS pipe keeps up, messages go
 * straight to `send`. Once `send` returns `false`, later messages wait in a FIFO queue until
 * the callback of that write reports it flushed (the backlog drained); past
 * `maxQueuedMessages` they are refused with `QueueFullError`. Order is always kept.
 */
export class IpcChannel {
  private readonly queue: Queued[] = [];
  private blocked = false;
  private closed = false;

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
    return this.queue.length;
  }

  /** Whether the channel has reported a full backlog and has not drained yet. */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /**
   * Sends `message`, resolving once Node has written it to the channel.
   * Rejects with the `unavailable` error when the channel is closed, and with
   * `QueueFullError` when too many messages already wait for a drain.
   */
  send(message: object): Promise<void> {
    if (this.closed || !this.target.isConnected()) {
      return Promise.reject(this.options.unavailable());
    }
    if (this.blocked || this.queue.length > 0) {
      if (this.queue.length >= this.options.maxQueuedMessages) {
        return Promise.reject(new QueueFullError(this.options.peer, this.options.maxQueuedMessages));
      }
      return new Promise<void>((resolve, reject) => this.queue.push({ message, resolve, reject }));
    }
    return new Promise<void>((resolve, reject) => this.write({ message, resolve, reject }));
  }

  /** Refuses further sends and rejects the queued ones. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = this.options.unavailable();
    for (const item of this.queue.splice(0)) item.reject(error);
  }

  private write(item: Queued): void {
    let accepted: boolean;
    let flushed = false;
    const onWritten = (error: Error | null): void => {
      flushed = true;
      if (error) item.reject(this.options.unavailable());
      else item.resolve();
      if (this.blocked && !accepted) {
        this.blocked = false;
        this.flush();
      }
    };
    try {
      accepted = this.target.send(item.message, onWritten);
    } catch (error) {
      // Serialization failures are caught before sending; anything else means the channel is unusable.
      item.reject(error instanceof Error ? error : this.options.unavailable());
      return;
    }
    if (!accepted && !flushed) this.blocked = true;
  }

  private flush(): void {
    while (!this.blocked && this.queue.length > 0 && !this.closed) {
      const next = this.queue.shift();
      if (next) this.write(next);
    }
  }
}
