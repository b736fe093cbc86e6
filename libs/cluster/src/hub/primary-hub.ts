import {
  ClusterError,
  ClusterStateError,
  MalformedEnvelopeError,
  NoHandlerError,
  WorkerExitedError,
  WorkerUnavailableError,
} from '../cluster.errors.js';
import { type Address, type WorkerInfo, type WorkersSnapshot } from '../cluster.interfaces.js';
import { lifecycleEnvelope, pingEnvelope, replyEnvelope, shutdownEnvelope } from '../wire/envelope.build.js';
import { parseEnvelope, unpackMessages } from '../wire/envelope.parse.js';
import {
  type BroadcastEnvelope,
  type DataEnvelope,
  type ErrorReplyEnvelope,
  type LifecycleEnvelope,
  type MessageEnvelope,
  type ReplyEnvelope,
  type ShutdownEnvelope,
} from '../wire/envelope.types.js';
import { IpcChannel } from '../ipc/ipc-channel.js';
import { type EncodedMessage, type MessageCodec } from '../ipc/message-codec.js';
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { receivesIpcCopy } from '../transport/broadcast-router.js';
import { type ClusterTable } from './cluster-table.js';
import { ForwardedRequests } from './forwarded-requests.js';
import { Hub } from './hub.js';
import { type Peer, type WorkerChannel, type WorkerReport, workerTarget } from './worker-peer.js';

/**
 * The primary's router: the hub of a star. Every worker has one IPC channel to it; requests and
 * messages between workers travel through it; broadcasts fan out from it. It also answers for
 * local endpoints: the primary's own (`'primary'`) and, with `workers: 0`, the in-process worker.
 */
export class PrimaryHub extends Hub {
  private readonly peers = new Map<number, Peer>();
  private readonly forwarded = new ForwardedRequests();
  private readonly reportListeners = new Set<(workerId: number, report: WorkerReport) => void>();
  private closed = false;

  /**
   * @param codec - size check and copies.
   * @param table - the cluster's lifecycle streams.
   * @param maxQueuedMessages - send-queue bound per worker channel.
   */
  constructor(
    codec: MessageCodec,
    table: ClusterTable,
    private maxQueuedMessages: number,
  ) {
    super(codec, table);
  }

  /** Replaces the codec and queue bound; only before the first worker is added. */
  configure(codec: MessageCodec, maxQueuedMessages: number): void {
    if (this.peers.size > 0)
      throw new ClusterStateError('The IPC settings cannot change once workers exist.');
    this.codec = codec;
    this.maxQueuedMessages = maxQueuedMessages;
  }

  /** Requests forwarded between workers that still await an answer (diagnostics). */
  get forwardedCount(): number {
    return this.forwarded.size;
  }

  /**
   * Calls `listener` with each report of a worker: ready, its worker() factory failed, or a pong.
   * Returns an unsubscribe function.
   */
  onReport(listener: (workerId: number, report: WorkerReport) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /** Sends a heartbeat to a worker, which answers with a pong report. Never rejects. */
  ping(workerId: number): void {
    this.peers
      .get(workerId)
      ?.channel.send(pingEnvelope({ id: this.nextId(), to: workerId }))
      .catch(() => undefined);
  }

  /** Starts routing a freshly forked worker's IPC channel. */
  addWorker(worker: WorkerChannel): void {
    if (this.closed) return;
    const id = worker.id;
    const channel = new IpcChannel(workerTarget(worker), {
      peer: id,
      maxQueuedMessages: this.maxQueuedMessages,
      unavailable: () => new WorkerUnavailableError(id),
      stats: this.stats,
    });
    const onMessage = (message: unknown): void => {
      const malformed = (reason: string): void => this.errors.next(new MalformedEnvelopeError(reason, id));
      for (const item of unpackMessages(message, malformed)) {
        this.stats.messagesReceived++;
        const tooLarge = this.codec.checkInbound(item);
        if (tooLarge) this.errors.next(tooLarge);
        else this.onWorkerMessage(id, item);
      }
    };
    worker.on('message', onMessage);
    this.peers.set(id, { worker, channel, onMessage });
  }

  /**
   * Stops routing to a worker whose channel closed or which exited: queued sends reject, requests
   * forwarded to it and requests of local endpoints pending on it fail at once. Idempotent.
   */
  removeWorker(workerId: number): void {
    const peer = this.peers.get(workerId);
    if (!peer) return;
    this.peers.delete(workerId);
    peer.worker.off('message', peer.onMessage);
    peer.channel.close();
    for (const request of this.forwarded.takeInvolving(workerId)) {
      const error = new WorkerExitedError(workerId, request.topic);
      this.answer(this.failure(request, 'exited', error));
    }
    this.gone.next({ address: workerId });
  }

  /** Sends a control envelope to one worker. */
  sendControl(workerId: number, envelope: ShutdownEnvelope | LifecycleEnvelope): Promise<void> {
    const peer = this.peers.get(workerId);
    return peer ? peer.channel.send(envelope) : Promise.reject(new WorkerUnavailableError(workerId));
  }

  /** Builds a shutdown envelope for a worker. */
  shutdownEnvelope(workerId: number, mode: ShutdownEnvelope['payload']['mode']): ShutdownEnvelope {
    return shutdownEnvelope({ id: this.nextId(), to: workerId, mode });
  }

  /** Publishes the worker table locally, and a lifecycle event (if any) locally and to every connected worker. */
  publishLifecycle(workers: readonly WorkerInfo[], event?: ClusterEvent): void {
    this.table.publish(workers, event);
    if (!event) return;
    for (const [id, peer] of this.peers) {
      peer.channel
        .send(lifecycleEnvelope({ id: this.nextId(), to: id, event, workers }))
        .catch(() => undefined);
    }
  }

  /** @inheritdoc */
  async post(envelope: DataEnvelope): Promise<void> {
    const encoded = this.codec.encode(envelope, envelope.topic);
    if (envelope.to !== PRIMARY_ADDRESS) this.stats.bytesSent += encoded.bytes;
    return this.route(envelope, encoded, true);
  }

  /** Stops routing and completes every stream. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.peers.keys()]) this.removeWorker(id);
    this.forwarded.clear();
    this.reportListeners.clear();
    this.closeLinks();
  }

  protected needsReceipt(): boolean {
    return false;
  }

  protected queuedMessages(): number {
    let queued = 0;
    for (const peer of this.peers.values()) queued += peer.channel.queued;
    return queued;
  }

  /** @inheritdoc */
  workersSnapshot(): WorkersSnapshot {
    return this.table.snapshot();
  }

  private onWorkerMessage(workerId: number, message: unknown): void {
    const parsed = parseEnvelope(message);
    if (parsed.status === 'foreign') return;
    if (parsed.status === 'malformed') {
      this.errors.next(new MalformedEnvelopeError(parsed.reason, workerId));
      return;
    }
    const envelope = parsed.envelope;
    if (envelope.from !== workerId) {
      this.errors.next(
        new MalformedEnvelopeError(`it claims to come from ${String(envelope.from)}`, workerId),
      );
      return;
    }
    switch (envelope.kind) {
      case 'ready':
      case 'start-failed':
      case 'pong':
        for (const listener of this.reportListeners) listener(workerId, envelope);
        return;
      case 'shutdown':
      case 'lifecycle':
      case 'ping':
        this.errors.next(new MalformedEnvelopeError(`a worker may not send "${envelope.kind}"`, workerId));
        return;
      default:
        this.route(envelope, null, false).catch(() => undefined);
    }
  }

  private async route(envelope: DataEnvelope, encoded: EncodedMessage | null, local: boolean): Promise<void> {
    if (envelope.kind === 'broadcast') return this.fanOut(envelope, encoded);
    const to = envelope.to;
    if (this.hasLocal(to)) {
      const outcome = this.deliverLocal(envelope, encoded);
      if (envelope.kind === 'request' && outcome !== 'delivered') {
        this.answer(this.failure(envelope, 'no-handler', new NoHandlerError(envelope.topic, to)));
      } else if (envelope.kind === 'message' && envelope.receipt) {
        this.answer(this.receipt(envelope));
      }
      return;
    }
    const peer = typeof to === 'number' ? this.peers.get(to) : undefined;
    if (!peer || typeof to !== 'number') return this.undeliverable(envelope, to, local);
    if (envelope.kind === 'request' && !local) this.forwarded.track(envelope, envelope.timeoutMs);
    if (envelope.kind === 'reply' || envelope.kind === 'error-reply') this.forwarded.settle(to, envelope.id);
    try {
      await peer.channel.send(envelope);
    } catch (error) {
      if (local) throw error;
      if (envelope.kind === 'request' || (envelope.kind === 'message' && envelope.receipt)) {
        this.forwarded.settle(envelope.from, envelope.id);
        const reason = error instanceof ClusterError ? error : new WorkerUnavailableError(to);
        this.answer(this.failure(envelope, 'unavailable', reason));
      }
      return;
    }
    if (envelope.kind === 'message' && envelope.receipt) this.answer(this.receipt(envelope));
  }

  private undeliverable(envelope: DataEnvelope, to: Address, local: boolean): Promise<void> {
    const error =
      typeof to === 'number' ? new WorkerUnavailableError(to) : new NoHandlerError(envelope.topic, to);
    if (local) return Promise.reject(error);
    if (envelope.kind === 'request' || (envelope.kind === 'message' && envelope.receipt)) {
      this.answer(this.failure(envelope, typeof to === 'number' ? 'unavailable' : 'no-handler', error));
    }
    return Promise.resolve();
  }

  private async fanOut(envelope: BroadcastEnvelope, encoded: EncodedMessage | null): Promise<void> {
    const sends: Array<Promise<void>> = [];
    for (const [id, peer] of this.peers) {
      if (!receivesIpcCopy(id, envelope)) continue;
      sends.push(
        peer.channel.send(envelope).catch((error: unknown) => {
          if (error instanceof ClusterError) this.errors.next(error);
        }),
      );
    }
    for (const address of this.localAddresses()) {
      if (receivesIpcCopy(address, envelope)) this.deliverLocal(envelope, encoded, address);
    }
    await Promise.all(sends);
  }

  private receipt(envelope: MessageEnvelope): ReplyEnvelope {
    return replyEnvelope({ request: envelope, from: envelope.to, payload: null });
  }

  /** Routes an answer produced by the hub itself back to the asker. */
  private answer(reply: ReplyEnvelope | ErrorReplyEnvelope): void {
    if (this.hasLocal(reply.to)) {
      this.deliverLocal(reply, null);
      return;
    }
    const peer = typeof reply.to === 'number' ? this.peers.get(reply.to) : undefined;
    peer?.channel.send(reply).catch(() => undefined);
  }
}
