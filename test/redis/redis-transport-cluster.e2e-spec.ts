/**
 * The Redis broadcast transport on a real Redis Cluster (3 masters, 3 replicas, spawned for this
 * file): every subscriber gets every broadcast, each sender's in order; and under faults (pub/sub
 * clients killed, a graceful failover, the subscriber's node killed or frozen) delivery comes
 * back, the watchdog reports what it saw, and the broadcasts lost are counted as gaps.
 *
 * Each fault test streams numbered broadcasts every 5 ms and prints one `measured:` line: how
 * long delivery stopped, how many published broadcasts never arrived, and the gap count.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { waitFor } from '../support/processes.js';
import { RedisClusterTopology } from '../support/redis-cluster-topology.js';
import { localAddress, redisCommand, replication } from '../support/redis-topology.js';
import {
  Receiver,
  Streamer,
  inOrder,
  lost,
  gapBounds,
  measureFault,
  numbered,
  sleep,
  uniqueChannel,
} from './broadcast-probe.js';

/** How long each fault test streams after the fault (delivery must be back by then). */
const RUN_MS = 10_000;

describe('RedisBroadcastTransport on a Redis Cluster', () => {
  let topology: RedisClusterTopology;
  const transports: RedisBroadcastTransport[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    topology = await RedisClusterTopology.start();
  }, 60_000);
  afterAll(() => topology?.dispose());
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) receiver.stop();
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
  });

  /** A transport on the Cluster; `name` tags its connections (`CLIENT LIST`). */
  const make = (channel: string, name?: string): RedisBroadcastTransport => {
    const transport = new RedisBroadcastTransport({
      clusterNodes: topology.nodesText().split(','),
      channel,
      ...(name ? { redisOptions: { connectionName: name } } : {}),
    });
    transports.push(transport);
    return transport;
  };
  const receiverOn = (transport: RedisBroadcastTransport): Receiver => {
    const receiver = new Receiver(transport);
    receivers.push(receiver);
    return receiver;
  };

  /** The port of the node the subscriber of the transport tagged `name` sits on. */
  const subscriberNode = (name: string): Promise<number> =>
    waitFor(
      `the subscriber ${name}`,
      async () => {
        for (const { port } of topology.nodes) {
          const list = await redisCommand(localAddress(port), 'CLIENT', 'LIST', 'TYPE', 'pubsub').catch(
            () => '',
          );
          if (String(list).includes(`name=ioredis-cluster(subscriber):${name} `)) return port;
        }
        return undefined;
      },
      10_000,
      100,
    );

  /** `master` or `slave`. */
  const role = async (port: number): Promise<string> =>
    (await replication(localAddress(port))).get('role') ?? 'unknown';

  /** A publisher streaming to a receiver tagged `name`, both subscribed. */
  const streaming = async (label: string) => {
    const channel = uniqueChannel(label);
    const name = `${label}-${process.pid}`;
    const receiver = receiverOn(make(channel, name));
    const publisher = make(channel);
    await Promise.all([receiver.transport.whenSubscribed(), publisher.whenSubscribed()]);
    const streamer = new Streamer(publisher);
    streamer.start();
    await waitFor('the stream', () => (receiver.numbersFrom(streamer.origin).length > 20 ? true : undefined));
    return { receiver, streamer, name };
  };

  it('delivers every broadcast to every subscriber, each sender in order, with no gap', async () => {
    const channel = uniqueChannel('cluster-fanout');
    const nodes = Array.from({ length: 6 }, () => make(channel));
    const inboxes = nodes.map(receiverOn);
    await Promise.all(nodes.map((transport) => transport.whenSubscribed()));
    await Promise.all(
      nodes.map(async (transport, index) => {
        for (let n = 1; n <= 50; n++) await transport.publish(numbered(`sender-${index}`, n));
      }),
    );
    await waitFor(
      'every broadcast everywhere',
      () => (inboxes.every((inbox) => inbox.arrivals.length >= 300) ? true : undefined),
      10_000,
      50,
    );
    for (const inbox of inboxes) {
      for (let index = 0; index < nodes.length; index++) {
        const numbers = inbox.numbersFrom(`sender-${index}`);
        expect(numbers).toHaveLength(50);
        expect(inOrder(numbers)).toBe(true);
      }
      expect(inbox.transport.stats()).toEqual({ degraded: false, resubscribes: 0, gaps: 0 });
    }
  }, 30_000);

  it('stays healthy under steady traffic: the watchdog does not fire', async () => {
    const { receiver, streamer } = await streaming('cluster-steady');
    await sleep(6_000);
    const report = await streamer.stop();
    await sleep(500);
    expect(receiver.states()).toEqual(['healthy']);
    expect(receiver.transport.stats()).toEqual({ degraded: false, resubscribes: 0, gaps: 0 });
    expect(lost(report, receiver, streamer.origin)).toEqual([]);
    expect(inOrder(receiver.numbersFrom(streamer.origin))).toBe(true);
  }, 30_000);

  it('comes back after CLIENT KILL TYPE pubsub on every node, counting what it lost', async () => {
    const { receiver, streamer } = await streaming('cluster-client-kill');
    const faultAt = Date.now();
    for (const node of topology.nodes) await redisCommand(node, 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    const measured = await measureFault({
      label: 'Cluster, CLIENT KILL TYPE pubsub',
      faultAt,
      runMs: RUN_MS,
      receiver,
      streamer,
    });
    expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    expect(receiver.transport.stats().degraded).toBe(false);
  }, 60_000);

  it('survives a graceful CLUSTER FAILOVER of the master the subscriber is on (or serves)', async () => {
    const { receiver, streamer, name } = await streaming('cluster-failover');
    const node = await subscriberNode(name);
    const masters = await topology.masters();
    const master = masters.find((m) => m.port === node || m.replica === node)?.port ?? masters[0]?.port;
    if (master === undefined) throw new Error('no master');
    const label = `Cluster, CLUSTER FAILOVER of ${master} (subscriber on ${node}, a ${await role(node)})`;
    const faultAt = Date.now();
    await topology.failover(master);
    const measured = await measureFault({ label, faultAt, runMs: RUN_MS, receiver, streamer });
    expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    expect(receiver.transport.stats().degraded).toBe(false);
    await topology.waitHealthy();
  }, 90_000);

  it('comes back after kill -9 of the master the subscriber is on, counting what it lost', async () => {
    // ioredis puts a Cluster's subscriber on a random node, replicas included: draw until a master.
    const masters = new Set((await topology.masters()).map((master) => master.port));
    let drawn = await streaming('cluster-kill');
    let node = await subscriberNode(drawn.name);
    for (let draw = 1; !masters.has(node) && draw < 30; draw++) {
      await drawn.streamer.stop();
      drawn.receiver.stop();
      await Promise.all(transports.splice(0).map((transport) => transport.close()));
      drawn = await streaming(`cluster-kill-${draw}`);
      node = await subscriberNode(drawn.name);
    }
    expect(masters.has(node)).toBe(true);
    const { receiver, streamer } = drawn;
    const faultAt = Date.now();
    await topology.kill(node);
    try {
      const measured = await measureFault({
        label: `Cluster, kill -9 of master ${node}`,
        faultAt,
        runMs: RUN_MS,
        receiver,
        streamer,
      });
      expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
      expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
      expect(measured.duplicates).toBe(0);
      expect(receiver.transport.stats().degraded).toBe(false);
    } finally {
      await topology.restart(node);
      await topology.waitHealthy(60_000);
    }
  }, 120_000);

  it('degrades, resubscribes and recovers when the node the subscriber is on freezes (SIGSTOP)', async () => {
    const { receiver, streamer, name } = await streaming('cluster-freeze');
    const node = await subscriberNode(name);
    const label = `Cluster, SIGSTOP of ${node} (the subscriber's node, a ${await role(node)})`;
    const pid = Number(
      /process_id:(\d+)/.exec(String(await redisCommand(localAddress(node), 'INFO', 'server')))?.[1],
    );
    const faultAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(
        'degraded',
        () => (receiver.states().includes('degraded') ? true : undefined),
        10_000,
        50,
      );
      await waitFor(
        'recovered',
        () => (receiver.states().at(-1) === 'healthy' ? true : undefined),
        30_000,
        50,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const measured = await measureFault({ label, faultAt, runMs: RUN_MS, receiver, streamer });
    expect(receiver.states()).toEqual(['healthy', 'degraded', 'healthy']);
    expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    expect(receiver.transport.stats().resubscribes).toBeGreaterThanOrEqual(1);
    await topology.waitHealthy(60_000);
  }, 120_000);
});
