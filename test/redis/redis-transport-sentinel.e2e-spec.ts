/**
 * The Redis broadcast transport on a real Redis Sentinel topology (a master, a replica and 3
 * Sentinels, spawned for this file): every subscriber gets every broadcast; a `SENTINEL FAILOVER`
 * and a `kill -9` of the master are followed at once (`failoverDetector`), and the broadcasts
 * lost are counted as gaps. Each fault test prints one `measured:` line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { waitFor } from '../support/processes.js';
import { RedisSentinelTopology } from '../support/redis-sentinel-topology.js';
import {
  Receiver,
  Streamer,
  gapBounds,
  inOrder,
  measureFault,
  numbered,
  uniqueChannel,
} from './broadcast-probe.js';

/** How long each fault test streams after the fault (delivery must be back by then). */
const RUN_MS = 10_000;

describe('RedisBroadcastTransport on Redis Sentinel', () => {
  let topology: RedisSentinelTopology;
  const transports: RedisBroadcastTransport[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    topology = await RedisSentinelTopology.start();
  }, 60_000);
  afterAll(() => topology?.dispose());
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) receiver.stop();
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
  });

  const make = (channel: string): RedisBroadcastTransport => {
    const transport = new RedisBroadcastTransport({
      sentinels: topology.sentinelsText().split(','),
      sentinelName: topology.masterName,
      channel,
    });
    transports.push(transport);
    return transport;
  };
  const receiverOn = (transport: RedisBroadcastTransport): Receiver => {
    const receiver = new Receiver(transport);
    receivers.push(receiver);
    return receiver;
  };

  const streaming = async (label: string) => {
    const channel = uniqueChannel(label);
    const receiver = receiverOn(make(channel));
    const publisher = make(channel);
    await Promise.all([receiver.transport.whenSubscribed(), publisher.whenSubscribed()]);
    const streamer = new Streamer(publisher);
    streamer.start();
    await waitFor('the stream', () => (receiver.numbersFrom(streamer.origin).length > 20 ? true : undefined));
    return { receiver, streamer };
  };

  it('delivers every broadcast to every subscriber, each sender in order', async () => {
    const channel = uniqueChannel('sentinel-fanout');
    const nodes = Array.from({ length: 3 }, () => make(channel));
    const inboxes = nodes.map(receiverOn);
    await Promise.all(nodes.map((transport) => transport.whenSubscribed()));
    await Promise.all(
      nodes.map(async (transport, index) => {
        for (let n = 1; n <= 50; n++) await transport.publish(numbered(`sender-${index}`, n));
      }),
    );
    await waitFor(
      'every broadcast everywhere',
      () => (inboxes.every((inbox) => inbox.arrivals.length >= 150) ? true : undefined),
      10_000,
      50,
    );
    for (const inbox of inboxes) {
      for (let index = 0; index < nodes.length; index++) {
        expect(inOrder(inbox.numbersFrom(`sender-${index}`))).toBe(true);
        expect(inbox.numbersFrom(`sender-${index}`)).toHaveLength(50);
      }
      expect(inbox.transport.stats()).toEqual({ degraded: false, resubscribes: 0, gaps: 0 });
    }
  }, 30_000);

  it('follows a SENTINEL FAILOVER at once, counting what it lost', async () => {
    const { receiver, streamer } = await streaming('sentinel-failover');
    const before = await topology.master();
    const faultAt = Date.now();
    const after = await topology.failover();
    const measured = await measureFault({
      label: `Sentinel, SENTINEL FAILOVER ${before} -> ${after}`,
      faultAt,
      runMs: RUN_MS,
      receiver,
      streamer,
    });
    expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    expect(receiver.transport.stats().degraded).toBe(false);
    await topology.waitHealthy();
  }, 90_000);

  it('comes back after kill -9 of the master, counting what it lost', async () => {
    const { receiver, streamer } = await streaming('sentinel-kill');
    const faultAt = Date.now();
    const killed = await topology.killMaster();
    try {
      const measured = await measureFault({
        label: `Sentinel, kill -9 of the master ${killed}`,
        faultAt,
        runMs: RUN_MS,
        receiver,
        streamer,
      });
      expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
      expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
      expect(measured.duplicates).toBe(0);
      expect(measured.report.refused.length + measured.report.published.length).toBeGreaterThan(0);
    } finally {
      await topology.restart(killed);
      await topology.waitHealthy(60_000);
    }
  }, 120_000);
});
