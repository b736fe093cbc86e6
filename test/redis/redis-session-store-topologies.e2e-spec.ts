import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { RedisSessionStore, RedisWriteNotReplicatedError } from '@nest-hive/session/redis';
import { OwnRedisServer, uniquePrefix } from '../support/redis.js';
import { RedisClusterTopology } from '../support/redis-cluster-topology.js';
import { redisCommand } from '../support/redis-topology.js';
import { RedisSentinelTopology } from '../support/redis-sentinel-topology.js';

const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

/** The same contract, whatever the topology: one hash per session, per-key patches, each key counted once. */
async function exerciseStore(store: RedisSessionStore): Promise<void> {
  await store.set('a', { ...record({ user: 'ann', n: 1 }), cookie: { maxAge: 5000 } }, 60_000);
  expect(await store.patch('a', { set: { n: 2 }, unset: ['user'] }, 60_000)).toBe(true);
  expect(await store.patch('gone', { set: { n: 2 }, unset: [] }, 60_000)).toBe(false);
  const read = await store.get('a');
  expect(read?.data).toEqual({ n: 2 });
  expect(read?.cookie).toEqual({ maxAge: 5000 });
  await store.touch('a', 120_000);
  expect((await store.get('a'))?.expiresAt).toBeGreaterThan(Date.now() + 100_000);
  await store.destroy('a');
  expect(await store.get('a')).toBeUndefined();
  await store.ping();
}

describe('RedisSessionStore on a Redis Cluster (3 masters + 3 replicas)', () => {
  let topology: RedisClusterTopology;
  let store: RedisSessionStore;
  beforeAll(async () => {
    topology = await RedisClusterTopology.shared();
    store = new RedisSessionStore({
      clusterNodes: topology.nodesText().split(','),
      prefix: uniquePrefix('cluster'),
    });
  }, 60_000);
  afterAll(async () => {
    await store?.clear();
    await store?.close();
    await topology?.dispose();
  });

  it('reads, writes, patches, touches and destroys sessions', async () => {
    await exerciseStore(store);
  });

  it('keeps each session in the slot of its id (a hash tag), and counts and clears every master, each key once', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `s${i}`);
    await Promise.all(ids.map((id) => store.set(id, record({ id }), 60_000)));
    const masters = new Set(await Promise.all(ids.slice(0, 30).map((id) => topology.masterOf(id))));
    expect(masters.size).toBe(3);
    const [node] = topology.nodes;
    const keys = await scanAll(topology, '*cluster*');
    expect(keys).toHaveLength(300);
    for (const key of keys.slice(0, 20)) {
      const id = /\{(s\d+)\}$/.exec(key)?.[1] ?? '';
      expect(await redisCommand(node, 'CLUSTER', 'KEYSLOT', key)).toBe(
        await redisCommand(node, 'CLUSTER', 'KEYSLOT', id),
      );
    }
    expect(await store.length()).toBe(300);
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  it('takes a Cluster client you pass in, and leaves it open', async () => {
    const client = new Cluster(topology.nodes.map(({ host, port }) => ({ host, port })));
    const borrowed = new RedisSessionStore({ client, prefix: uniquePrefix('cluster-client') });
    try {
      await exerciseStore(borrowed);
      await borrowed.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('with durableWrites, acknowledges writes the replicas of their master hold', async () => {
    const durable = new RedisSessionStore({
      clusterNodes: topology.nodesText().split(','),
      prefix: uniquePrefix('cluster-durable'),
      durableWrites: true,
    });
    try {
      await exerciseStore(durable);
      await durable.set('kept', record({ kept: true }), 60_000);
      expect((await durable.get('kept'))?.data).toEqual({ kept: true });
    } finally {
      await durable.clear();
      await durable.close();
    }
  });
});

describe('RedisSessionStore on Redis Sentinel (1 master + 1 replica + 3 sentinels)', () => {
  let topology: RedisSentinelTopology;
  beforeAll(async () => {
    topology = await RedisSentinelTopology.shared();
  }, 60_000);
  afterAll(() => topology?.dispose());

  it('finds the master through the sentinels, with and without durable writes', async () => {
    for (const durableWrites of [false, true]) {
      const store = new RedisSessionStore({
        sentinels: topology.sentinels.map(({ host, port }) => `${host}:${port}`),
        sentinelName: topology.masterName,
        prefix: uniquePrefix('sentinel'),
        durableWrites,
      });
      try {
        await exerciseStore(store);
        await store.set('b', record({}), 60_000);
        expect(await store.length()).toBe(1);
      } finally {
        await store.clear();
        await store.close();
      }
    }
  });
});

describe('durableWrites with no replica to confirm them', () => {
  let server: OwnRedisServer;
  let store: RedisSessionStore;
  beforeAll(async () => {
    server = await OwnRedisServer.start();
    store = new RedisSessionStore({
      url: server.url,
      prefix: uniquePrefix('unreplicated'),
      durableWrites: { timeoutMs: 800 },
      operationTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it('refuses writes (a 503) while reads keep answering, and fails further writes at once', async () => {
    let settled = 0;
    const writes = Array.from({ length: 4 }, (_, i) =>
      store.set(`w${i}`, record({ i }), 60_000).finally(() => (settled += 1)),
    );
    // The first write reached the master but is not acknowledged; a read is not queued behind its WAIT.
    let read = await store.get('w0');
    while (read === undefined && settled === 0) read = await store.get('w0');
    expect(read?.data).toEqual({ i: 0 });
    expect(settled).toBe(0);
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes[0]).toMatchObject({
      status: 'rejected',
      reason: expect.any(RedisWriteNotReplicatedError),
    });
    for (const outcome of outcomes) {
      // Writes sent before the first answer wait their turn on the write connection: refused, or timed out.
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toEqual(
          expect.objectContaining({
            name: expect.stringMatching(/^Redis(WriteNotReplicated|OperationTimeout)Error$/),
          }),
        );
      }
    }
    const raw = new Redis(server.url);
    try {
      const deletes = async () =>
        Number(/cmdstat_del:calls=(\d+)/.exec(await raw.info('commandstats'))?.[1] ?? 0);
      const before = await deletes();
      await expect(store.destroy('w1')).rejects.toBeInstanceOf(RedisWriteNotReplicatedError);
      expect(await deletes()).toBe(before); // refused without being sent
    } finally {
      raw.disconnect();
    }
  });
});

async function scanAll(topology: RedisClusterTopology, pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  for (const master of await topology.masters()) {
    const redis = new Redis({ host: '127.0.0.1', port: master.port });
    try {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        found.forEach((key) => keys.add(key));
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
  return [...keys];
}
