import { NEVER, type Observable, concat, of } from 'rxjs';
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
 * Whether a broadcast transport believes broadcasts reach its endpoint (`ClusterService.transportStatus$`).
 *
 * - `healthy`: its self-check passes (e.g. the Redis transport's own pings come back);
 * - `degraded`: its self-check failed, so broadcasts may be missed right now; the transport is
 *   repairing itself (e.g. resubscribing) and reports `healthy` again once the check passes.
 */
export interface BroadcastTransportStatus {
  /** `'healthy'` or `'degraded'`. */
  readonly state: 'healthy' | 'degraded';
  /** When this state began (epoch ms). */
  readonly since: number;
  /** Why, in words (for logs), e.g. `no echo of its own ping for 3000 ms`. */
  readonly reason: string;
}

/** Counters of one transport since it was built, read by `@nest-hive/cluster/metrics`. */
export interface BroadcastTransportStats {
  /** Whether it is degraded now. */
  readonly degraded: boolean;
  /** Resubscriptions it forced because its self-check failed. */
  readonly resubscribes: number;
  /** Broadcasts it found missing: a sender's sequence numbers that never arrived. */
  readonly gaps: number;
}

/** A status stream that reports `healthy` once and never changes (the IPC carrier's). */
export function alwaysHealthy(): Observable<BroadcastTransportStatus> {
  return concat(of({ state: 'healthy' as const, since: Date.now(), reason: 'no self-check' }), NEVER);
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

  /**
   * The transport's health: the current {@link BroadcastTransportStatus} at once, then each
   * change; completes on `close()`. Default: `healthy`, never changing and never completing (a
   * transport without a self-check; the endpoint stops listening when it closes).
   */
  readonly status$: Observable<BroadcastTransportStatus> = alwaysHealthy();

  /** Its counters so far (see {@link BroadcastTransportStats}). Default: never degraded, all zero. */
  stats(): BroadcastTransportStats {
    return { degraded: false, resubscribes: 0, gaps: 0 };
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
