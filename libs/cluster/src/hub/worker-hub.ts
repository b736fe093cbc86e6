import { MalformedEnvelopeError, NoHandlerError, PrimaryUnavailableError } from '../cluster.errors.js';
import { type Address } from '../cluster.interfaces.js';
import { pongEnvelope, readyEnvelope, startFailedEnvelope } from '../wire/envelope.build.js';
import { parseEnvelope, unpackMessages } from '../wire/envelope.parse.js';
import { type DataEnvelope, type StopMode } from '../wire/envelope.types.js';
import { IpcChannel, type IpcTarget } from '../ipc/ipc-channel.js';
import { type EncodedMessage, type MessageCodec } from '../ipc/message-codec.js';
import { type ClusterTable } from './cluster-table.js';
import { Hub } from './hub.js';

/** The part of `process` a worker hub uses: its IPC channel. */
export interface ProcessChannel extends IpcTarget {
  /** Subscribes to IPC messages and channel close. */
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  /** Unsubscribes. */
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'disconnect', listener: () => void): unknown;
}

/** Adapts the current process' IPC channel, or returns `undefined` when it has none. */
export function currentProcessChannel(): ProcessChannel | undefined {
  const send = process.send?.bind(process);
  if (!send) return undefined;
  return {
    isConnected: () => process.connected,
    send: (message, callback) => send(message, callback),
    on: (event: 'message' | 'disconnect', listener: (message: unknown) => void) =>
      process.on(event, listener),
    off: (event: 'message' | 'disconnect', listener: (message: unknown) => void) =>
      process.off(event, listener),
  };
}

/**
 * A worker's router: local endpoints share the worker id; everything else goes to the primary,
 * which routes it on. Control envelopes from the primary (shutdown, lifecycle) are handled here.
 */
export class WorkerHub extends Hub {
  private readonly channel: IpcChannel;
  private readonly stopListeners = new Set<(mode: StopMode) => void>();
  private readonly onMessage = (message: unknown): void => {
    const malformed = (reason: string): void =>
      this.errors.next(new MalformedEnvelopeError(reason, 'primary'));
    for (const item of unpackMessages(message, malformed)) {
      this.stats.messagesReceived++;
      const tooLarge = this.codec.checkInbound(item);
      if (tooLarge) this.errors.next(tooLarge);
      else this.receive(item);
    }
  };
  private readonly onDisconnect = (): void => this.disconnected();
  private started = false;
  private closed = false;

  /**
   * @param codec - size check and copies.
   * @param table - lifecycle streams, fed by the primary.
   * @param workerId - this worker's id.
   * @param target - this process' IPC channel.
   * @param maxQueuedMessages - send-queue bound.
   */
  constructor(
    codec: MessageCodec,
    table: ClusterTable,
    private readonly workerId: number,
    private readonly target: ProcessChannel,
    maxQueuedMessages: number,
  ) {
    super(codec, table);
    this.channel = new IpcChannel(target, {
      peer: 'primary',
      maxQueuedMessages,
      unavailable: () => new PrimaryUnavailableError(),
      stats: this.stats,
    });
  }

  /** Calls `listener` when the primary asks this worker to stop. Returns an unsubscribe function. */
  onStop(listener: (mode: StopMode) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Starts listening to the IPC channel. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.target.on('message', this.onMessage);
    this.target.on('disconnect', this.onDisconnect);
  }

  /** Tells the primary that the worker() factory resolved. */
  sendReady(): Promise<void> {
    return this.channel.send(readyEnvelope({ id: this.nextId(), from: this.workerId }));
  }

  /** Tells the primary why the worker() factory failed, before the worker exits. */
  sendStartFailure(error: unknown): Promise<void> {
    const { code, syscall, port } = (error ?? {}) as { code?: unknown; syscall?: unknown; port?: unknown };
    const failure = {
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof syscall === 'string' ? { syscall } : {}),
      ...(typeof port === 'number' ? { port } : {}),
    };
    return this.channel.send(startFailedEnvelope({ id: this.nextId(), from: this.workerId, failure }));
  }

  /** @inheritdoc */
  post(envelope: DataEnvelope): Promise<void> {
    let encoded: EncodedMessage;
    try {
      encoded = this.codec.encode(envelope, envelope.topic);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (envelope.kind !== 'broadcast' && envelope.to === this.workerId) {
      const outcome = this.deliverLocal(envelope, encoded);
      if (envelope.kind === 'request' && outcome !== 'delivered') {
        this.deliverLocal(
          this.failure(envelope, 'no-handler', new NoHandlerError(envelope.topic, this.workerId)),
          null,
        );
      }
      return Promise.resolve();
    }
    this.stats.bytesSent += encoded.bytes;
    return this.channel.send(envelope, encoded.bytes);
  }

  /** Stops listening and completes every stream. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.target.off('message', this.onMessage);
    this.target.off('disconnect', this.onDisconnect);
    this.channel.close();
    this.stopListeners.clear();
    this.closeLinks();
  }

  protected needsReceipt(_from: Address, to: Address): boolean {
    return typeof to === 'number' && to !== this.workerId;
  }

  protected queuedMessages(): number {
    return this.channel.queued;
  }

  /** @inheritdoc */
  workersSnapshot(): null {
    return null;
  }

  private receive(message: unknown): void {
    const parsed = parseEnvelope(message);
    if (parsed.status === 'foreign') return;
    if (parsed.status === 'malformed') {
      this.errors.next(new MalformedEnvelopeError(parsed.reason, 'primary'));
      return;
    }
    const envelope = parsed.envelope;
    switch (envelope.kind) {
      case 'shutdown':
        for (const listener of this.stopListeners) listener(envelope.payload.mode);
        return;
      case 'lifecycle':
        this.table.publish(envelope.payload.workers, envelope.payload.event);
        return;
      case 'ping':
        this.channel
          .send(pongEnvelope({ id: this.nextId(), from: this.workerId, rssBytes: process.memoryUsage.rss() }))
          .catch(() => undefined);
        return;
      case 'ready':
      case 'start-failed':
      case 'pong':
        this.errors.next(
          new MalformedEnvelopeError(`a worker does not accept "${envelope.kind}"`, 'primary'),
        );
        return;
      case 'broadcast':
        this.deliverLocal(envelope, null, this.workerId);
        return;
      default:
        break;
    }
    if (envelope.to !== this.workerId) {
      this.errors.next(
        new MalformedEnvelopeError(`addressed to ${String(envelope.to)}, not to this worker`, 'primary'),
      );
      return;
    }
    const outcome = this.deliverLocal(envelope, null);
    if (envelope.kind === 'request' && outcome !== 'delivered') {
      const failure = this.failure(envelope, 'no-handler', new NoHandlerError(envelope.topic, this.workerId));
      this.channel.send(failure).catch(() => undefined);
    }
  }

  private disconnected(): void {
    this.channel.close();
    this.gone.next({ address: 'primary' });
  }
}
