import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type Observable, type Subscription } from 'rxjs';
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { ClusterError, TransportUnavailableError } from '../cluster.errors.js';
import { type Address, type ClusterSelf } from '../cluster.interfaces.js';
import { broadcastEnvelope } from '../wire/envelope.build.js';
import { type BroadcastEnvelope } from '../wire/envelope.types.js';
import {
  type BroadcastPacket,
  type BroadcastTransport,
  type BroadcastTransportFactory,
  type BroadcastTransportStats,
  type BroadcastTransportStatus,
  alwaysHealthy,
} from './broadcast-transport.js';

/** The name the IPC carrier goes by in errors and logs. */
const IPC_CARRIER = 'IpcBroadcastTransport';

/**
 * The primary hub's half of the fan-out rule: whether the endpoints at `address` get an IPC copy
 * of `envelope`. Workers get every broadcast but their own (that one only with `includeSelf`);
 * the primary gets only its own, with `includeSelf`.
 */
export function receivesIpcCopy(address: Address, envelope: BroadcastEnvelope): boolean {
  const isSender = address === envelope.from;
  return address === PRIMARY_ADDRESS ? isSender && envelope.includeSelf : !isSender || envelope.includeSelf;
}

/** How a router sends over IPC: its endpoint's address, correlation ids and hub link. */
export interface BroadcastSender {
  /** The endpoint's address. */
  readonly address: Address;
  /** A correlation id unique in this process. */
  nextId(): string;
  /** Routes a broadcast envelope through the hub; rejects when it cannot leave this process. */
  post(envelope: BroadcastEnvelope): Promise<void>;
}

/** How a router is built. */
export interface BroadcastRouterParams {
  /** The endpoint's way to send over IPC. */
  readonly sender: BroadcastSender;
  /** The endpoint's identity. */
  readonly self: ClusterSelf;
  /** A custom carrier (e.g. Redis); IPC through the primary when absent. */
  readonly transport: BroadcastTransportFactory | undefined;
  /** Hands a broadcast that reached this endpoint (once) to it. */
  readonly deliver: (packet: BroadcastPacket) => void;
}

/**
 * The one owner of "each broadcast arrives exactly once" for one endpoint: it chooses the
 * carrier, publishes over it, and decides which arriving copies are delivered.
 *
 * - **IPC carrier** (no transport given): a broadcast goes to the primary, which fans it out
 *   (see {@link receivesIpcCopy}); every IPC copy that arrives is delivered.
 * - **Custom carrier** (e.g. Redis): a broadcast goes through it, and what it brings is
 *   delivered. A primary also sends an IPC copy marked `viaTransport`, so workers on the IPC
 *   carrier get it; endpoints on a custom carrier skip those copies (theirs came through it) but
 *   take the other IPC broadcasts, from a primary on the IPC carrier.
 * - Either way an endpoint drops its own broadcasts unless they were sent with `includeSelf`.
 */
export class BroadcastRouter {
  /** Unique id of the endpoint (`BroadcastPacket.origin` of its broadcasts). */
  readonly origin = randomUUID();
  private readonly sender: BroadcastSender;
  private readonly self: ClusterSelf;
  private readonly transport: BroadcastTransport | undefined;
  private readonly deliver: (packet: BroadcastPacket) => void;
  private readonly subscription: Subscription | undefined;

  /** @param params - the endpoint's sender, identity, carrier and delivery. */
  constructor(params: BroadcastRouterParams) {
    this.sender = params.sender;
    this.self = params.self;
    this.deliver = params.deliver;
    this.transport = params.transport?.({ self: params.self, origin: this.origin });
    this.subscription = this.transport?.packets$.subscribe((packet) => this.take(packet));
  }

  /** The carrier's health (see `BroadcastTransport.status$`); the IPC carrier is always healthy. */
  get status$(): Observable<BroadcastTransportStatus> {
    return this.transport ? this.transport.status$ : alwaysHealthy();
  }

  /** The carrier's counters (see `BroadcastTransport.stats`); zero for the IPC carrier. */
  stats(): BroadcastTransportStats {
    return this.transport ? this.transport.stats() : { degraded: false, resubscribes: 0, gaps: 0 };
  }

  /** The carrier's name, e.g. `RedisBroadcastTransport`. */
  get carrierName(): string {
    return this.transport ? this.transport.constructor.name : IPC_CARRIER;
  }

  /**
   * Resolves once broadcasts published from now on reach this endpoint (see
   * `BroadcastTransport.ready`), or after `timeoutMs` with a warning: a carrier that cannot get
   * ready must not hold the app's start.
   */
  async whenReady(timeoutMs: number): Promise<void> {
    if (!this.transport) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([this.transport.ready().then(() => 'ready' as const), late]).finally(
      () => clearTimeout(timer),
    );
    if (outcome === 'late') {
      new Logger('ClusterService').warn(
        `The ${this.carrierName} broadcast transport was not ready within ${timeoutMs} ms; ` +
          'starting anyway, broadcasts may be missed until it is.',
      );
    }
  }

  /**
   * Publishes a broadcast over the carrier (and, from a primary on a custom carrier, the IPC
   * copy for IPC-carrier workers).
   *
   * @throws TransportUnavailableError when the carrier failed with an error not of this library.
   */
  async publish(topic: string, payload: unknown, includeSelf: boolean): Promise<void> {
    const id = this.sender.nextId();
    const from = this.sender.address;
    const origin = this.origin;
    const transport = this.transport;
    try {
      await (transport
        ? transport.publish({ id, topic, payload, from, origin, includeSelf })
        : this.sender.post(
            broadcastEnvelope({ id, topic, from, payload, includeSelf, origin, viaTransport: false }),
          ));
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw new TransportUnavailableError(topic, this.carrierName, error);
    }
    if (transport && this.self.isPrimary) {
      await this.sender.post(
        broadcastEnvelope({ id, topic, from, payload, includeSelf: false, origin, viaTransport: true }),
      );
    }
  }

  /** Takes a broadcast that arrived over IPC. */
  fromIpc(envelope: BroadcastEnvelope): void {
    if (this.transport && envelope.viaTransport) return;
    this.take(envelope);
  }

  /** Stops taking packets and closes the carrier. */
  close(): Promise<void> {
    this.subscription?.unsubscribe();
    return this.transport ? this.transport.close() : Promise.resolve();
  }

  private take(packet: BroadcastPacket): void {
    if (packet.origin === this.origin && !packet.includeSelf) return;
    this.deliver(packet);
  }
}
