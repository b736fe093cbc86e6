import { describe, expect, it } from '@jest/globals';
import { readDemoRedisConfig } from './demo-redis.js';

describe('readDemoRedisConfig', () => {
  it('defaults to one local server', () => {
    expect(readDemoRedisConfig({})).toEqual({
      connection: { url: 'redis://127.0.0.1:6379' },
      durableWrites: false,
    });
  });

  it('reads Sentinel and Cluster lists, trimming spaces, with the default master name', () => {
    expect(readDemoRedisConfig({ REDIS_SENTINELS: '127.0.0.1:26379, 127.0.0.1:26380' }).connection).toEqual({
      sentinels: ['127.0.0.1:26379', '127.0.0.1:26380'],
      sentinelName: 'mymaster',
    });
    expect(
      readDemoRedisConfig({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'sessions' }).connection,
    ).toEqual({ sentinels: ['a:1'], sentinelName: 'sessions' });
    expect(
      readDemoRedisConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', REDIS_DURABLE_WRITES: '1' }),
    ).toEqual({ connection: { clusterNodes: ['10.0.0.1:7000', '10.0.0.2:7000'] }, durableWrites: true });
  });

  it('refuses two topologies, a name without sentinels, and malformed lists, naming the variable', () => {
    expect(() => readDemoRedisConfig({ REDIS_URL: 'redis://x', REDIS_CLUSTER_NODES: 'a:1' })).toThrow(
      /not REDIS_URL and REDIS_CLUSTER_NODES/,
    );
    expect(() => readDemoRedisConfig({ REDIS_SENTINEL_NAME: 'm' })).toThrow(/needs REDIS_SENTINELS/);
    expect(() => readDemoRedisConfig({ REDIS_CLUSTER_NODES: 'a:1,b' })).toThrow(
      /REDIS_CLUSTER_NODES must list/,
    );
    expect(() => readDemoRedisConfig({ REDIS_SENTINELS: ' , ' })).toThrow(/REDIS_SENTINELS must list/);
  });
});
