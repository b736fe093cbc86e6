import { type Observable } from 'rxjs';
import { type ClusterError } from '../cluster.errors.js';
import { type IpcStats } from '../ipc/ipc-stats.js';
import { type Address, type WorkerInfo, type WorkersSnapshot } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type DataEnvelope } from '../wire/envelope.types.js';

/**
 * A peer went away: requests pending on it must fail now. In a worker, `'primary'` means the
 * channel to the primary closed, so everything pending fails.
 */
export interface PeerGone {
  /** Who left. */
  readonly address: Address;
}

/** How one endpoint sends: its address, its correlation ids and the hub's router. */
export interface LinkSender {
  /** This endpoint's address. */
  readonly address: Address;
  /** A correlation id unique in this process; answers to it come back to this endpoint alone. */
  nextId(): string;
  /** Routes an envelope; rejects when it cannot leave this process. */
  post(envelope: DataEnvelope): Promise<void>;
}

/** What a hub gives one attached endpoint: its inbound envelopes and a way to send. */
export interface EndpointLink extends LinkSender {
  /** Data envelopes addressed to this endpoint (requests only to the one endpoint that handles them). */
  readonly inbound$: Observable<DataEnvelope>;
  /** Whether sending to `to` needs a delivery receipt from the primary (worker → other worker). */
  needsReceipt(to: Address): boolean;
  /** Detaches from the hub and completes `inbound$`. Idempotent. */
  detach(): void;
}

/**
 * A process' hub as its endpoints see it: where they attach, and the streams and counters the
 * process' endpoints share.
 */
export interface EndpointHost {
  /** The process' IPC counters (pending requests and timeouts are counted by endpoints). */
  readonly stats: IpcStats;
  /** Workers that left, so requests pending on them fail at once. */
  readonly gone$: Observable<PeerGone>;
  /** Malformed envelopes and channel problems seen by the hub. */
  readonly errors$: Observable<ClusterError>;
  /** Lifecycle events. */
  readonly events$: Observable<ClusterEvent>;
  /** Worker table. */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /**
   * Attaches an endpoint at `address`.
   *
   * @param handles - whether the endpoint has a request handler for a topic.
   */
  attach(address: Address, handles: (topic: string) => boolean): EndpointLink;
  /** The primary's worker snapshot, or `null` in a worker (ask the primary instead). */
  workersSnapshot(): WorkersSnapshot | null;
}
