import { type Observable } from 'rxjs';
import { type ClusterError } from '../cluster.errors.js';
import { type IpcStats } from '../ipc/ipc-stats.js';
import {
  type Address,
  type ClusterSelf,
  type WorkerInfo,
  type WorkersSnapshot,
} from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type DataEnvelope } from '../wire/envelope.js';

/**
 * A peer went away: requests pending on it must fail now. In a worker, `'primary'` means the
 * channel to the primary closed, so everything pending fails.
 */
export interface PeerGone {
  /** Who left. */
  readonly address: Address;
}

/**
 * What a hub gives one endpoint (a `ClusterService`, or the primary runtime's own endpoint):
 * its inbound envelopes, the process' lifecycle streams, and a way to send.
 */
export interface EndpointLink {
  /** This endpoint's address. */
  readonly address: Address;
  /** This endpoint's identity. */
  readonly self: ClusterSelf;
  /** The process' IPC counters (pending requests and timeouts are counted by endpoints). */
  readonly stats: IpcStats;
  /** Unique id of this endpoint, used to recognise its own broadcasts. */
  readonly origin: string;
  /** Data envelopes addressed to this endpoint (requests only to the one endpoint that handles them). */
  readonly inbound$: Observable<DataEnvelope>;
  /** Workers that left, so requests pending on them fail at once. */
  readonly gone$: Observable<PeerGone>;
  /** Malformed envelopes and channel problems seen by the hub. */
  readonly errors$: Observable<ClusterError>;
  /** Lifecycle events. */
  readonly events$: Observable<ClusterEvent>;
  /** Worker table. */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /** The primary's local worker snapshot, or `null` in a worker (ask the primary instead). */
  localSnapshot(): WorkersSnapshot | null;
  /** Whether sending to `to` needs a delivery receipt from the primary (worker → other worker). */
  needsReceipt(to: Address): boolean;
  /** A correlation id unique in this process. */
  nextId(): string;
  /** Routes an envelope; rejects when it cannot leave this process. */
  post(envelope: DataEnvelope): Promise<void>;
  /** Offers the app's HTTP server to the runtime for graceful draining (worker endpoints only). */
  adoptHttpServer(server: unknown): void;
  /** Detaches from the hub and completes `inbound$`. Idempotent. */
  detach(): void;
}
