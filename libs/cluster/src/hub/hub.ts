import { randomUUID } from 'node:crypto';
import { type Observable, Subject } from 'rxjs';
import { ClusterClosedError, type ClusterError } from '../cluster.errors.js';
import { type Address, type WorkerInfo, type WorkersSnapshot } from '../cluster.interfaces.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { errorReplyEnvelope } from '../wire/envelope.build.js';
import { isDataEnvelope, parseEnvelope } from '../wire/envelope.parse.js';
import {
  type DataEnvelope,
  type ErrorReplyEnvelope,
  type FailureReason,
  type MessageEnvelope,
  type RequestEnvelope,
} from '../wire/envelope.types.js';
import { IpcStats, type IpcStatsSnapshot } from '../ipc/ipc-stats.js';
import { type EncodedMessage, type MessageCodec } from '../ipc/message-codec.js';
import { type ClusterTable } from './cluster-table.js';
import { type EndpointHost, type EndpointLink, type PeerGone } from './endpoint-link.js';

interface LinkState {
  readonly inbound: Subject<DataEnvelope>;
  readonly handles: (topic: string) => boolean;
  /** Prefix of the correlation ids this endpoint creates: replies go back to it alone. */
  readonly idPrefix: string;
}

/** Result of delivering an envelope to the endpoints of this process. */
export type LocalDelivery = 'delivered' | 'no-handler' | 'absent';

/**
 * The per-process message router. Endpoints attach to it by address; it delivers envelopes
 * to local endpoints (asynchronously, as copies when they were sent in-process) and leaves
 * the rest to the subclass: `PrimaryHub` forwards to worker channels, `WorkerHub` to the primary.
 */
export abstract class Hub implements EndpointHost {
  private readonly links = new Map<Address, Set<LinkState>>();
  private readonly idPrefix = randomUUID().slice(0, 8);
  private sequence = 0;
  private linkCount = 0;
  /** Problems seen by the hub (malformed envelopes, misrouted messages). */
  protected readonly errors = new Subject<ClusterError>();
  /** Workers that left. */
  protected readonly gone = new Subject<PeerGone>();
  /** This process' IPC counters. */
  readonly stats = new IpcStats();

  /**
   * @param codec - size check and copies.
   * @param table - lifecycle streams handed to endpoints.
   */
  protected constructor(
    protected codec: MessageCodec,
    protected readonly table: ClusterTable,
  ) {}

  /** Sends an envelope from a local endpoint. */
  abstract post(envelope: DataEnvelope): Promise<void>;

  /** Whether a local endpoint sending to `to` should ask for a delivery receipt. */
  protected abstract needsReceipt(from: Address, to: Address): boolean;

  /** Messages waiting in this process' send queues. */
  protected abstract queuedMessages(): number;

  /** This process' IPC counters and queue depth. */
  statsSnapshot(): IpcStatsSnapshot {
    return this.stats.snapshot(this.queuedMessages());
  }

  /** @inheritdoc */
  abstract workersSnapshot(): WorkersSnapshot | null;

  /** @inheritdoc */
  get gone$(): Observable<PeerGone> {
    return this.gone.asObservable();
  }

  /** @inheritdoc */
  get errors$(): Observable<ClusterError> {
    return this.errors.asObservable();
  }

  /** @inheritdoc */
  get events$(): Observable<ClusterEvent> {
    return this.table.events$;
  }

  /** @inheritdoc */
  get workers$(): Observable<readonly WorkerInfo[]> {
    return this.table.workers$;
  }

  /** A correlation id unique in this process (for the hub's own control envelopes). */
  nextId(): string {
    this.sequence += 1;
    return `${this.idPrefix}.h.${this.sequence}`;
  }

  /** @inheritdoc */
  attach(address: Address, handles: (topic: string) => boolean): EndpointLink {
    this.linkCount += 1;
    const idPrefix = `${this.idPrefix}.${this.linkCount}.`;
    let linkSequence = 0;
    const state: LinkState = { inbound: new Subject<DataEnvelope>(), handles, idPrefix };
    let set = this.links.get(address);
    if (!set) {
      set = new Set();
      this.links.set(address, set);
    }
    set.add(state);
    let attached = true;
    return {
      address,
      inbound$: state.inbound.asObservable(),
      needsReceipt: (to) => this.needsReceipt(address, to),
      nextId: () => `${idPrefix}${++linkSequence}`,
      post: (envelope) =>
        attached ? this.post(envelope) : Promise.reject(new ClusterClosedError(envelope.topic)),
      detach: () => {
        if (!attached) return;
        attached = false;
        const current = this.links.get(address);
        current?.delete(state);
        if (current?.size === 0) this.links.delete(address);
        state.inbound.complete();
      },
    };
  }

  /** Whether any endpoint of this process has `address`. */
  protected hasLocal(address: Address): boolean {
    return this.links.has(address);
  }

  /** Addresses of the local endpoints. */
  protected localAddresses(): Address[] {
    return [...this.links.keys()];
  }

  /**
   * Delivers to the endpoints at `envelope.to` (or `address` for broadcasts): requests to the
   * first endpoint that handles the topic, anything else to all of them.
   *
   * @param encoded - set when the envelope was sent in-process; each endpoint then gets a copy.
   */
  protected deliverLocal(
    envelope: DataEnvelope,
    encoded: EncodedMessage | null,
    address?: Address,
  ): LocalDelivery {
    const target = address ?? (envelope.to === '*' ? undefined : envelope.to);
    const set = target === undefined ? undefined : this.links.get(target);
    if (!set || set.size === 0) return 'absent';
    if (envelope.kind === 'reply' || envelope.kind === 'error-reply') {
      // Only the endpoint that asked gets the answer (several endpoints may share an address).
      for (const link of set) if (envelope.id.startsWith(link.idPrefix)) this.push(link, envelope, encoded);
      return 'delivered';
    }
    if (envelope.kind === 'request') {
      for (const link of set) {
        if (link.handles(envelope.topic)) {
          this.push(link, envelope, encoded);
          return 'delivered';
        }
      }
      return 'no-handler';
    }
    for (const link of set) this.push(link, envelope, encoded);
    return 'delivered';
  }

  private push(link: LinkState, envelope: DataEnvelope, encoded: EncodedMessage | null): void {
    let delivered = envelope;
    if (encoded) {
      const parsed = parseEnvelope(encoded.copy());
      if (parsed.status !== 'ok' || !isDataEnvelope(parsed.envelope)) return;
      delivered = parsed.envelope;
    }
    queueMicrotask(() => {
      if (!link.inbound.closed) link.inbound.next(delivered);
    });
  }

  /** Builds an `error-reply` answering `envelope` on behalf of its target. */
  protected failure(
    envelope: RequestEnvelope | MessageEnvelope,
    reason: FailureReason,
    error: { readonly name: string; readonly message: string },
  ): ErrorReplyEnvelope {
    const payload = { reason, name: error.name, message: error.message };
    return errorReplyEnvelope({ request: envelope, from: envelope.to, payload });
  }

  /** Completes every stream and detaches every endpoint. */
  protected closeLinks(): void {
    for (const set of this.links.values()) for (const link of set) link.inbound.complete();
    this.links.clear();
    this.errors.complete();
    this.gone.complete();
  }
}
