import { afterEach, describe, expect, it } from '@jest/globals';
import { type Observable, Subject, filter } from 'rxjs';
import { TransportUnavailableError } from '../cluster.errors.js';
import { type Address, type ClusterSelf } from '../cluster.interfaces.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { PrimaryHub } from '../hub/primary-hub.js';
import { MessageCodec } from '../ipc/message-codec.js';
import { broadcastEnvelope } from '../wire/envelope.build.js';
import { type BroadcastEnvelope } from '../wire/envelope.types.js';
import { BroadcastRouter, receivesIpcCopy } from './broadcast-router.js';
import {
  type BroadcastPacket,
  BroadcastTransport,
  type BroadcastTransportFactory,
} from './broadcast-transport.js';

/** An in-memory pub/sub carrier: every transport on one bus gets every packet (like Redis). */
class BusTransport extends BroadcastTransport {
  readonly packets$: Observable<BroadcastPacket>;
  constructor(
    private readonly bus: Subject<BroadcastPacket>,
    private readonly failWith?: Error,
  ) {
    super();
    this.packets$ = bus.asObservable();
  }
  publish(packet: BroadcastPacket): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.bus.next(packet);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function selfOf(address: Address): ClusterSelf {
  return address === 'primary'
    ? { isPrimary: true, workerId: null, slot: null, pid: 1, mode: 'loopback' }
    : { isPrimary: false, workerId: address, slot: 0, pid: 1, mode: 'loopback' };
}

const hubs: PrimaryHub[] = [];
afterEach(() => hubs.splice(0).forEach((hub) => hub.close()));

/** Endpoints' routers on one real hub, each recording the topics delivered to it. */
function cluster(): {
  endpoint: (
    address: Address,
    transport?: BroadcastTransportFactory,
  ) => { router: BroadcastRouter; got: string[] };
} {
  const hub = new PrimaryHub(new MessageCodec('json', 1024 * 1024), new ClusterTable(), 100);
  hubs.push(hub);
  return {
    endpoint: (address, transport) => {
      const got: string[] = [];
      const link = hub.attach(address, () => false);
      const router = new BroadcastRouter({
        sender: link,
        self: selfOf(address),
        transport,
        deliver: (packet) => got.push(packet.topic),
      });
      link.inbound$
        .pipe(filter((e): e is BroadcastEnvelope => e.kind === 'broadcast'))
        .subscribe((envelope) => router.fromIpc(envelope));
      return { router, got };
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('receivesIpcCopy', () => {
  const from = (sender: Address, includeSelf: boolean): BroadcastEnvelope =>
    broadcastEnvelope({
      id: 'x',
      topic: 't',
      from: sender,
      payload: null,
      includeSelf,
      origin: 'o',
      viaTransport: false,
    });

  it('gives workers every broadcast but their own, and that one only with includeSelf', () => {
    expect(receivesIpcCopy(2, from(1, false))).toBe(true);
    expect(receivesIpcCopy(1, from(1, false))).toBe(false);
    expect(receivesIpcCopy(1, from(1, true))).toBe(true);
    expect(receivesIpcCopy(2, from('primary', false))).toBe(true);
  });

  it('gives the primary only its own broadcasts, with includeSelf', () => {
    expect(receivesIpcCopy('primary', from(1, true))).toBe(false);
    expect(receivesIpcCopy('primary', from('primary', false))).toBe(false);
    expect(receivesIpcCopy('primary', from('primary', true))).toBe(true);
  });
});

describe('BroadcastRouter', () => {
  it('over IPC, delivers each broadcast once to each worker, and to the sender only with includeSelf', async () => {
    const { endpoint } = cluster();
    const primary = endpoint('primary');
    const worker = endpoint(0);
    await primary.router.publish('quiet', 1, false);
    await primary.router.publish('loud', 1, true);
    await worker.router.publish('from-worker', 1, false);
    await settle();
    expect(worker.got).toEqual(['quiet', 'loud']);
    expect(primary.got).toEqual(['loud']);
  });

  it('from a primary on a custom carrier, reaches workers on either carrier exactly once', async () => {
    const bus = new Subject<BroadcastPacket>();
    const onBus: BroadcastTransportFactory = () => new BusTransport(bus);
    const { endpoint } = cluster();
    const primary = endpoint('primary', onBus);
    const busWorker = endpoint(1, onBus);
    const ipcWorker = endpoint(2);
    await primary.router.publish('news', 1, false);
    await settle();
    expect(busWorker.got).toEqual(['news']);
    expect(ipcWorker.got).toEqual(['news']);
    expect(primary.got).toEqual([]);
  });

  it('on a custom carrier, still takes the IPC broadcasts of a primary on the IPC carrier', async () => {
    const bus = new Subject<BroadcastPacket>();
    const { endpoint } = cluster();
    const primary = endpoint('primary');
    const busWorker = endpoint(1, () => new BusTransport(bus));
    await primary.router.publish('hello', 1, false);
    await settle();
    expect(busWorker.got).toEqual(['hello']);
  });

  it('names the carrier and wraps its foreign errors in TransportUnavailableError', async () => {
    const { endpoint } = cluster();
    const failing = endpoint(1, () => new BusTransport(new Subject(), new Error('down')));
    expect(failing.router.carrierName).toBe('BusTransport');
    expect(endpoint(2).router.carrierName).toBe('IpcBroadcastTransport');
    await expect(failing.router.publish('t', 1, false)).rejects.toBeInstanceOf(TransportUnavailableError);
  });

  it('stops delivering once closed', async () => {
    const bus = new Subject<BroadcastPacket>();
    const { endpoint } = cluster();
    const a = endpoint(1, () => new BusTransport(bus));
    const b = endpoint(2, () => new BusTransport(bus));
    await b.router.close();
    await a.router.publish('late', 1, false);
    expect(b.got).toEqual([]);
  });
});
