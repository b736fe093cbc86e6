/**
 * The three Redis topologies a store test runs on, each as store options and a plain client to
 * look at the keys with: the shared single Redis, and the shared Sentinel and Cluster
 * (`RedisSentinelTopology.shared()`, `RedisClusterTopology.shared()`).
 */
import { Cluster, Redis } from 'ioredis';
import type { RedisSessionStoreOptions } from '@nest-hive/session/redis';
import { REDIS_URL } from './redis.js';
import { RedisClusterTopology } from './redis-cluster-topology.js';
import { RedisSentinelTopology } from './redis-sentinel-topology.js';

/** One topology: how to reach it with a store and with a plain client; `dispose()` releases both. */
export interface RedisTarget {
  readonly name: string;
  readonly options: RedisSessionStoreOptions;
  readonly raw: Redis | Cluster;
  readonly dispose: () => Promise<void>;
}

/** The shared Redis at `REDIS_URL` (never stopped here). */
export async function singleRedisTarget(): Promise<RedisTarget> {
  const raw = new Redis(REDIS_URL);
  return {
    name: 'single Redis',
    options: { url: REDIS_URL },
    raw,
    dispose: async () => void (await raw.quit()),
  };
}

/** The shared Sentinel set; the plain client follows its master. */
export async function sentinelTarget(): Promise<RedisTarget> {
  const topology = await RedisSentinelTopology.shared();
  const raw = new Redis({ sentinels: [...topology.sentinels], name: topology.masterName });
  return {
    name: 'Redis Sentinel',
    options: { sentinels: topology.sentinelsText().split(','), sentinelName: topology.masterName },
    raw,
    dispose: async () => {
      raw.disconnect();
      await topology.dispose();
    },
  };
}

/** The shared Cluster; the plain client is a cluster client (one key a command across slots). */
export async function clusterTarget(): Promise<RedisTarget> {
  const topology = await RedisClusterTopology.shared();
  const raw = new Cluster(topology.nodes.map(({ host, port }) => ({ host, port })));
  return {
    name: 'Redis Cluster',
    options: { clusterNodes: topology.nodesText().split(',') },
    raw,
    dispose: async () => {
      raw.disconnect();
      await topology.dispose();
    },
  };
}
