import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { type Subscription } from 'rxjs';
import {
  type Adapter,
  type ClusterAdapterOptions,
  ClusterAdapterWithHeartbeat,
  type ClusterMessage,
  type ClusterResponse,
  MessageType,
} from 'socket.io-adapter';
import { type Namespace } from 'socket.io';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { SOCKET_IO_TOPIC, type SocketIoNode, type SocketIoPacket } from './socket-io.wire.js';

/** Least time between two log lines about failed publishes. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/** This process' node identity: the cluster is named by the host and the primary's pid. */
export function localSocketIoNode(workerId: number): SocketIoNode {
  return { cluster: `${hostname()}/${process.ppid}`, worker: workerId };
}

/**
 * socket.io's cluster protocol (`ClusterAdapterWithHeartbeat` of socket.io-adapter, the base of
 * `@socket.io/cluster-adapter`) carried by `@nest-hive/cluster` messaging instead of raw
 * `process.send`: broadcasts, rooms, `fetchSockets`, `serverSideEmit` and friends span every
 * worker, through the IPC channel's coalescing, backpressure and size bounds, or through the
 * app's broadcast transport (Redis) across machines. Responses are broadcast too, marked with the
 * requester's uid, so they reach a requester on any machine.
 *
 * A worker of this cluster that exits is forgotten at once (its pending answers no longer awaited);
 * a node elsewhere is forgotten after `heartbeatTimeout`. A publish that fails (a message over
 * `maxMessageBytes`, a full queue, a transport outage) is logged and dropped: it never throws into
 * socket.io's `emit()`.
 */
export class ClusterSocketAdapter extends ClusterAdapterWithHeartbeat {
  private readonly logger = new Logger('NestHiveSocketIo');
  private readonly subscriptions: Subscription[] = [];
  /** Uids of the nodes of this cluster, by worker id. */
  private readonly localNodes = new Map<number, Set<string>>();
  private readonly namespace: string;
  private lastFailureLog = 0;
  private closed = false;

  /**
   * @param nsp - the namespace (socket.io creates one adapter per namespace).
   * @param messaging - this worker's messaging endpoint.
   * @param node - this worker's node identity.
   * @param options - heartbeat settings.
   */
  constructor(
    nsp: Namespace,
    private readonly messaging: ClusterMessaging,
    private readonly node: SocketIoNode,
    options: ClusterAdapterOptions,
  ) {
    super(nsp, options);
    this.namespace = nsp.name;
    this.subscriptions.push(
      messaging.on(SOCKET_IO_TOPIC).subscribe((packet) => this.receive(packet)),
      messaging.events$.subscribe((event) => {
        if (event.type === 'exit' || event.type === 'disconnect') this.forgetWorker(event.workerId);
      }),
    );
  }

  /** @inheritdoc */
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    super.close();
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  /** @inheritdoc */
  protected override doPublish(message: ClusterMessage): Promise<string> {
    return this.publishPacket({ node: this.node, message }).then(() => '');
  }

  /** @inheritdoc */
  protected override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
    return this.publishPacket({ node: this.node, response, requester: requesterUid });
  }

  private publishPacket(packet: SocketIoPacket): Promise<void> {
    return this.messaging.broadcast(SOCKET_IO_TOPIC, packet).catch((error: unknown) => {
      const now = Date.now();
      if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
      this.lastFailureLog = now;
      this.logger.warn(
        `A socket.io packet for the other workers was dropped: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  private receive(packet: SocketIoPacket): void {
    if (this.closed) return;
    if ('message' in packet) {
      if (packet.message.nsp !== this.namespace || packet.message.uid === this.uid) return;
      this.remember(packet.node, packet.message.uid);
      this.onMessage(packet.message);
      return;
    }
    if (packet.requester !== this.uid || packet.response.nsp !== this.namespace) return;
    this.remember(packet.node, packet.response.uid);
    this.onResponse(packet.response);
  }

  private remember(node: SocketIoNode, uid: string): void {
    if (node.cluster !== this.node.cluster) return;
    let uids = this.localNodes.get(node.worker);
    if (!uids) this.localNodes.set(node.worker, (uids = new Set()));
    uids.add(uid);
  }

  /** Treats every node of a worker of this cluster that is gone as closed. */
  private forgetWorker(workerId: number): void {
    const uids = this.localNodes.get(workerId);
    if (!uids) return;
    this.localNodes.delete(workerId);
    for (const uid of uids) this.onMessage({ type: MessageType.ADAPTER_CLOSE, uid, nsp: this.namespace });
  }
}

/**
 * The adapter class socket.io instantiates per namespace (`new Adapter(nsp)`), bound to this
 * worker's messaging.
 */
export function clusterSocketAdapterClass(
  messaging: ClusterMessaging,
  node: SocketIoNode,
  options: ClusterAdapterOptions,
): typeof Adapter {
  return class BoundClusterSocketAdapter extends ClusterSocketAdapter {
    constructor(nsp: Namespace) {
      super(nsp, messaging, node, options);
    }
  };
}
