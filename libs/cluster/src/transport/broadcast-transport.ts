import { type Observable } from 'rxjs';
import { type Address, type ClusterSelf } from '../cluster.interfaces.js';

/** One broadcast as it travels through a transport. */
export interface BroadcastPacket {
  /** Unique id of the broadcast. */
  readonly id: string;
  /** Topic name. */
  readonly topic: string;
  /** Payload, serializable by the transport. */
  readonly payload: unknown;
  /** Address of the sender in its own cluster. */
  readonly from: Address;
  /** Unique id of the sending endpoint; receivers drop their own packets unless `includeSelf`. */
  readonly origin: string;
  /** Whether the sender wants its own copy. */
  readonly includeSelf: boolean;
}

/**
 * How `broadcast()` reaches every worker. The default goes over IPC through the primary (one
 * machine). Another implementation, e.g. Redis pub/sub, can carry broadcasts across machines
 * without any change to `ClusterService`: publish each packet to every endpoint (the sender
 * included: the endpoint drops its own copy unless `includeSelf`), and emit what arrives on
 * `packets$`.
 *
 * @example
 * ```ts
 * ClusterModule.forRoot({ transport: (context) => new MyPubSubTransport(redis, context.origin) });
 * ```
 */
export abstract class BroadcastTransport {
  /** Broadcasts that reach this endpoint (its own included: the endpoint filters them). */
  abstract readonly packets$: Observable<BroadcastPacket>;

  /** Sends a broadcast; resolves once the transport accepted it. */
  abstract publish(packet: BroadcastPacket): Promise<void>;

  /** Releases the transport's resources; `packets$` must complete. */
  abstract close(): Promise<void>;

  /**
   * Resolves once broadcasts published from now on reach this endpoint (e.g. its subscription is
   * in place). The app waits for it while it starts, so nothing sent right after start is
   * missed. Default: at once.
   */
  ready(): Promise<void> {
    return Promise.resolve();
  }
}

/** What a transport factory learns about the endpoint it serves. */
export interface BroadcastTransportContext {
  /** Identity of the endpoint. */
  readonly self: ClusterSelf;
  /** Unique id of the endpoint (`BroadcastPacket.origin` of its packets). */
  readonly origin: string;
}

/** Builds the transport of one endpoint. Give it as `ClusterModule.forRoot({ transport })`. */
export type BroadcastTransportFactory = (context: BroadcastTransportContext) => BroadcastTransport;
