import { type Observable, filter, map } from 'rxjs';
import { type BroadcastEnvelope, type DataEnvelope, broadcastEnvelope } from '../wire/envelope.js';
import { type EndpointLink } from '../hub/endpoint-link.js';
import { type BroadcastPacket, BroadcastTransport } from './broadcast-transport.js';

function isBroadcast(envelope: DataEnvelope): envelope is BroadcastEnvelope {
  return envelope.kind === 'broadcast';
}

/**
 * The default transport: a broadcast goes to the primary over IPC, which sends it on to every
 * worker (the sender only with `includeSelf`). From the primary it goes straight to every worker.
 */
export class IpcBroadcastTransport extends BroadcastTransport {
  /** @inheritdoc */
  readonly packets$: Observable<BroadcastPacket>;

  /** @param link - the endpoint's link to its hub. */
  constructor(private readonly link: EndpointLink) {
    super();
    this.packets$ = link.inbound$.pipe(
      filter(isBroadcast),
      map((envelope) => ({
        id: envelope.id,
        topic: envelope.topic,
        payload: envelope.payload,
        from: envelope.from,
        origin: envelope.origin,
        includeSelf: envelope.includeSelf,
      })),
    );
  }

  /** @inheritdoc */
  publish(packet: BroadcastPacket): Promise<void> {
    return this.link.post(
      broadcastEnvelope(
        packet.id,
        packet.topic,
        packet.from,
        packet.payload,
        packet.includeSelf,
        packet.origin,
      ),
    );
  }

  /** @inheritdoc */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
