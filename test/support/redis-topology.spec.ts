import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { waitFor } from './processes.js';
import { RedisClusterTopology } from './redis-cluster-topology.js';
import { RedisSentinelTopology } from './redis-sentinel-topology.js';
import { localAddress, replication } from './redis-topology.js';

/** The `INFO replication` of `port` as `role master_port master_link_status`. */
async function replicationOf(port: number): Promise<string> {
  const info = await replication(localAddress(port));
  return [info.get('role'), info.get('master_port'), info.get('master_link_status')].join(' ');
}

describe('RedisClusterTopology', () => {
  let topology: RedisClusterTopology;

  beforeAll(async () => {
    topology = await RedisClusterTopology.start();
  }, 60_000);

  afterAll(async () => {
    await topology?.dispose();
  });

  it('starts 3 masters with a replica each over the 16384 slots; a Cluster client writes where masterOf() says', async () => {
    const masters = await topology.masters();
    expect(masters).toHaveLength(3);
    expect(masters.reduce((sum, { slots }) => sum + slots, 0)).toBe(16_384);
    for (const { port, replica } of masters)
      expect(await replicationOf(replica ?? 0)).toBe(`slave ${port} up`);

    const cluster = new Cluster([...topology.nodes]);
    const direct = new Redis({ port: await topology.masterOf('topology:{written}'), lazyConnect: true });
    try {
      await cluster.set('topology:{written}', 'through the cluster');
      expect(await cluster.get('topology:{written}')).toBe('through the cluster');
      expect(await direct.get('topology:{written}')).toBe('through the cluster');
    } finally {
      cluster.disconnect();
      direct.disconnect();
    }
  });

  it('failover() promotes the replica of a master, which becomes its replica once waitHealthy() passes', async () => {
    const [before] = await topology.masters();
    const promoted = await topology.failover(before.port);
    expect(promoted).toBe(before.replica);
    await topology.waitHealthy();
    const after = await topology.masters();
    expect(after.find(({ port }) => port === promoted)).toMatchObject({
      replica: before.port,
      slots: before.slots,
    });
    expect(after.map(({ port }) => port)).not.toContain(before.port);
  });

  it('a killed master is replaced by its replica, with the data; restart() brings it back as that replica', async () => {
    const key = 'topology:{killed}';
    const killed = await topology.masterOf(key);
    const { replica } = (await topology.masters()).find(({ port }) => port === killed) ?? {};
    const writer = new Redis({ port: killed });
    await writer.set(key, 'replicated');
    expect(await writer.wait(1, 1_000)).toBe(1);
    writer.disconnect();

    await topology.kill(killed);
    await waitFor('the replica to take over', async () =>
      (await topology.masterOf(key)) === replica ? true : undefined,
    );
    const reader = new Redis({ port: replica });
    expect(await reader.get(key)).toBe('replicated');
    reader.disconnect();

    await topology.restart(killed);
    await topology.waitHealthy();
    expect(await replicationOf(killed)).toBe(`slave ${replica} up`);
  }, 40_000);

  it('shared() with NEST_HIVE_REDIS_CLUSTER_NODES uses those nodes, never faults them, and dispose() leaves them up', async () => {
    const shared = await RedisClusterTopology.shared({ NEST_HIVE_REDIS_CLUSTER_NODES: topology.nodesText() });
    expect(shared.nodesText()).toBe(topology.nodesText());
    expect(await shared.masters()).toEqual(await topology.masters());
    await expect(shared.kill(shared.nodes[0].port)).rejects.toThrow(/shared topology is never faulted/);
    await shared.dispose();
    await shared.waitHealthy(5_000);
  });
});

describe('RedisSentinelTopology', () => {
  let topology: RedisSentinelTopology;

  beforeAll(async () => {
    topology = await RedisSentinelTopology.start();
  }, 60_000);

  afterAll(async () => {
    await topology?.dispose();
  });

  it('starts a master the Sentinels agree on; a Sentinel client writes to it, and the replica copies it', async () => {
    const client = new Redis({ sentinels: [...topology.sentinels], name: topology.masterName });
    try {
      await client.set('topology:sentinel', 'written');
      expect(await client.wait(1, 1_000)).toBe(1);
      const master = await topology.master();
      const direct = new Redis({ port: master });
      expect(await direct.get('topology:sentinel')).toBe('written');
      direct.disconnect();
    } finally {
      client.disconnect();
    }
  });

  it('shared() with NEST_HIVE_REDIS_SENTINELS uses those Sentinels, never faults them, and dispose() leaves them up', async () => {
    const shared = await RedisSentinelTopology.shared({
      NEST_HIVE_REDIS_SENTINELS: topology.sentinelsText(),
    });
    expect(shared.masterName).toBe('mymaster');
    expect(await shared.master()).toBe(await topology.master());
    await expect(shared.killMaster()).rejects.toThrow(/shared topology is never faulted/);
    await shared.dispose();
    await shared.waitHealthy(5_000);
  });

  it('failover() moves the master to the replica; the old master becomes its replica', async () => {
    const before = await topology.master();
    const after = await topology.failover();
    expect(after).not.toBe(before);
    expect(await topology.master()).toBe(after);
    await topology.waitHealthy();
    expect(await replicationOf(before)).toBe(`slave ${after} up`);
  });

  it('after killMaster() the Sentinels promote the replica within 10 s; restart() + waitHealthy() heal it for the next failover', async () => {
    const killed = await topology.killMaster();
    const promoted = await waitFor(
      'the Sentinels to promote the replica',
      async () => {
        const master = await topology.master();
        return master !== killed ? master : undefined;
      },
      10_000,
      100,
    );
    expect(await replicationOf(promoted)).toMatch(/^master/);

    await topology.restart(killed);
    await topology.waitHealthy();
    expect(await replicationOf(killed)).toBe(`slave ${promoted} up`);
    expect(await topology.failover()).toBe(killed);
  }, 45_000);
});
