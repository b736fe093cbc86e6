/**
 * The Redis broadcast transport's watchdog against a Redis of this file's own: silent under
 * steady traffic; and when the subscriber's connection goes silent without a reset (a proxy
 * freezes it), it reports `degraded`, forces a resubscribe, reports `healthy` again, and the
 * broadcasts lost meanwhile are counted as gaps. Through Nest: `ClusterService.transportStatus$`
 * and the `@nest-hive/cluster/metrics` gauge and counters show the same.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type BroadcastTransportStatus, ClusterModule, ClusterService } from '@nest-hive/cluster';
import { ClusterMetricsModule, ClusterMetricsService } from '@nest-hive/cluster/metrics';
import { redisBroadcastTransport } from '@nest-hive/cluster/redis';
import { Redis } from 'ioredis';
import { RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { waitFor } from '../support/processes.js';
import { OwnRedisServer } from '../support/redis.js';
import {
  Receiver,
  Streamer,
  gapBounds,
  lost,
  measureFault,
  sleep,
  uniqueChannel,
} from './broadcast-probe.js';
import { FreezingProxy } from './freezing-proxy.js';

/** The value of one sample line (`name value`) of a scrape. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** How late a 1 s interval timer may fire on a loaded CI machine running several suites. */
const TIMER_LATENESS_MS = 500;

describe('the Redis broadcast transport watchdog', () => {
  let server: OwnRedisServer;
  let proxy: FreezingProxy;
  const transports: RedisBroadcastTransport[] = [];
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    proxy = await FreezingProxy.start(server.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.dispose();
  });
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) receiver.stop();
    await Promise.all(transports.splice(0).map((transport) => transport.close()));
  });

  const make = (url: string, channel: string): RedisBroadcastTransport => {
    const transport = new RedisBroadcastTransport({ url, channel });
    transports.push(transport);
    return transport;
  };
  const streaming = async (label: string, receiverUrl: string) => {
    const channel = uniqueChannel(label);
    const receiver = new Receiver(make(receiverUrl, channel));
    receivers.push(receiver);
    const publisher = make(server.url, channel);
    await Promise.all([receiver.transport.whenSubscribed(), publisher.whenSubscribed()]);
    const streamer = new Streamer(publisher);
    streamer.start();
    await waitFor('the stream', () => (receiver.numbersFrom(streamer.origin).length > 20 ? true : undefined));
    return { receiver, streamer };
  };

  it('does not fire under steady traffic (defaults: a ping a second, degraded after 3 s)', async () => {
    const { receiver, streamer } = await streaming('watchdog-steady', proxy.url);
    await sleep(6_000);
    const report = await streamer.stop();
    await sleep(300);
    expect(receiver.states()).toEqual(['healthy']);
    expect(receiver.transport.stats()).toEqual({ degraded: false, resubscribes: 0, gaps: 0 });
    expect(lost(report, receiver, streamer.origin)).toEqual([]);
  }, 20_000);

  it('reports degraded, resubscribes and recovers when the subscription goes silent; counts what was lost', async () => {
    const { receiver, streamer } = await streaming('watchdog-frozen', proxy.url);
    const faultAt = Date.now();
    expect(proxy.freezeSubscribers()).toBe(1);
    await waitFor('degraded', () => (receiver.states().includes('degraded') ? true : undefined), 10_000, 50);
    await waitFor(
      'healthy again',
      () => (receiver.states().at(-1) === 'healthy' ? true : undefined),
      10_000,
      50,
    );
    const measured = await measureFault({
      label: 'one Redis, subscriber connection frozen',
      faultAt,
      runMs: 6_000,
      receiver,
      streamer,
    });
    expect(receiver.states()).toEqual(['healthy', 'degraded', 'healthy']);
    const [, degraded, recovered] = receiver.statuses;
    // A ping a second, degraded once 3 s pass without an echo: the tick that sees the silence
    // comes 3 to 4 s after the last echo (which came at the fault at the latest), plus however
    // late a timer runs on a loaded machine.
    const silentMs = Number(/^no echo of its own ping for (\d+) ms$/.exec(degraded?.reason ?? '')?.[1]);
    expect(silentMs).toBeGreaterThanOrEqual(3_000);
    expect(silentMs).toBeLessThan(4_000 + TIMER_LATENESS_MS);
    expect(recovered?.reason).toMatch(/^its ping came back after \d+ ms degraded$/);
    expect((degraded?.since ?? 0) - faultAt).toBeLessThan(4_000 + TIMER_LATENESS_MS);
    const stats = receiver.transport.stats();
    expect(stats.resubscribes).toBe(1);
    expect(measured.missing.length).toBeGreaterThan(100);
    expect(stats.gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(stats.gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    // The frozen connection was dropped by the transport; its replacement flows.
    expect(proxy.connections().frozen).toBe(0);
  }, 40_000);

  it('comes back by itself after CLIENT KILL TYPE pubsub (ioredis resubscribes), counting what was lost', async () => {
    const { receiver, streamer } = await streaming('watchdog-client-kill', server.url);
    const faultAt = Date.now();
    const admin = new Redis(server.url);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    const measured = await measureFault({
      label: 'one Redis, CLIENT KILL TYPE pubsub',
      faultAt,
      runMs: 3_000,
      receiver,
      streamer,
    });
    expect(receiver.transport.stats().gaps).toBeGreaterThanOrEqual(gapBounds(measured).min);
    expect(receiver.transport.stats().gaps).toBeLessThanOrEqual(gapBounds(measured).max);
    expect(measured.duplicates).toBe(0);
    expect(receiver.states()).toEqual(['healthy']);
  }, 30_000);

  describe('through Nest', () => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('shows degraded and recovered on ClusterService.transportStatus$ and in the metrics', async () => {
      @Module({
        imports: [
          ClusterModule.forRoot({
            transport: redisBroadcastTransport({
              url: proxy.url,
              channel: uniqueChannel('watchdog-nest'),
              watchdogIntervalMs: 200,
              watchdogTimeoutMs: 1_000,
            }),
          }),
          ClusterMetricsModule.forRoot({ defaultMetrics: false }),
        ],
      })
      class AppModule {}
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const started = moduleRef.createNestApplication({ logger: false });
      app = started;
      await started.init();
      const cluster = started.get(ClusterService);
      const metrics = started.get(ClusterMetricsService);
      const statuses: BroadcastTransportStatus[] = [];
      let completed = false;
      cluster.transportStatus$.subscribe({
        next: (s) => statuses.push(s),
        complete: () => (completed = true),
      });
      expect(statuses.map((s) => s.state)).toEqual(['healthy']);
      const before = await metrics.metrics();
      expect(sample(before, 'nest_hive_cluster_broadcast_transport_degraded')).toBe(0);
      const resubscribesBefore = sample(before, 'nest_hive_cluster_broadcast_resubscribes_total') ?? -1;
      expect(resubscribesBefore).toBeGreaterThanOrEqual(0);
      expect(sample(before, 'nest_hive_cluster_broadcast_gaps_total')).toBeGreaterThanOrEqual(0);

      // Frozen, and every resubscribe frozen again, until the metrics were read while degraded.
      expect(proxy.freezeSubscribers({ keep: true })).toBe(1);
      await waitFor('degraded', () => (statuses.at(-1)?.state === 'degraded' ? true : undefined), 5_000, 20);
      const during = await metrics.metrics();
      expect(sample(during, 'nest_hive_cluster_broadcast_transport_degraded')).toBe(1);
      expect(sample(during, 'nest_hive_cluster_broadcast_resubscribes_total')).toBe(resubscribesBefore + 1);
      proxy.thaw();
      await waitFor(
        'healthy again',
        () => (statuses.at(-1)?.state === 'healthy' ? true : undefined),
        5_000,
        20,
      );
      const after = await metrics.metrics();
      expect(statuses.map((s) => s.state)).toEqual(['healthy', 'degraded', 'healthy']);
      expect(sample(after, 'nest_hive_cluster_broadcast_transport_degraded')).toBe(0);
      expect(sample(after, 'nest_hive_cluster_broadcast_resubscribes_total')).toBeGreaterThanOrEqual(
        resubscribesBefore + 1,
      );
      await started.close();
      app = undefined;
      expect(completed).toBe(true);
    }, 20_000);
  });
});
