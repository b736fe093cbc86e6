import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import * as transport from '../../libs/cluster/src/redis/redis-connection.js';
import { RedisSessionStore } from '../../libs/session/src/redis/redis-session.store.js';
import * as store from '../../libs/session/src/redis/redis-connection.js';

/*
 * `@nest-hive/session/redis` and `@nest-hive/cluster/redis` each carry the same connection module
 * (neither package depends on the other for Redis). These cases keep the two copies in step.
 */
const accepted = [
  {},
  { url: 'redis://10.0.0.1:6379' },
  { sentinels: ['10.0.0.1:26379', { host: 'sentinel-2', port: 26379 }], sentinelName: 'c' },
  { clusterNodes: ['[::1]:7000', 'redis-0.redis:7000'] },
];
const refused: Array<[store.RedisConnectionOptions, RegExp]> = [
  [
    { url: 'redis://x:1', sentinels: ['a:1'] },
    /exactly one of url, sentinels, clusterNodes or client; got url and sentinels/,
  ],
  [{ sentinels: ['10.0.0.1'] }, /`sentinels` has "10.0.0.1"; write each as 'host:port'/],
  [{ clusterNodes: ['host:70000'] }, /has "host:70000"/],
  [{ clusterNodes: [] }, /`clusterNodes` is empty/],
  [{ url: 'redis://x:1', sentinelName: 'm' }, /`sentinelName` needs `sentinels`/],
  [
    { client: new Redis({ lazyConnect: true }), redisOptions: { password: 'p' } },
    /give them to your `client`/,
  ],
];

describe('Redis connection options of RedisSessionStore', () => {
  it.each(accepted)('accepts %j, as the broadcast transport does', (options) => {
    expect(() => store.validateConnectionOptions(options)).not.toThrow();
    expect(() => transport.validateConnectionOptions(options)).not.toThrow();
  });

  it.each(refused)('refuses %j with the fix, as the broadcast transport does', (options, message) => {
    expect(() => store.validateConnectionOptions(options)).toThrow(message);
    expect(() => transport.validateConnectionOptions(options)).toThrow(message);
    expect(() => new RedisSessionStore(options)).toThrow(/^RedisSessionStore/);
  });

  it('refuses a durableWrites policy that cannot fit in the operation timeout, or needs no replica', () => {
    expect(() => new RedisSessionStore({ durableWrites: { timeoutMs: 2_000 } })).toThrow(
      /durableWrites.timeoutMs \(2000\) must be a whole number of ms below operationTimeoutMs \(2000\)/,
    );
    expect(() => new RedisSessionStore({ durableWrites: { replicas: 0 } })).toThrow(
      /replicas must be a whole number ≥ 1/,
    );
  });

  it('refuses a readCache it cannot run, naming the option and the fix', () => {
    expect(() => new RedisSessionStore({ readCache: { leaseMs: 5 } })).toThrow(
      /^RedisSessionStore option `readCache.leaseMs` must be between 100 and 60000 ms; got 5/,
    );
    expect(() => new RedisSessionStore({ readCache: { maxEntries: 0 } })).toThrow(
      /^RedisSessionStore option `readCache.maxEntries` must be a positive integer; got 0/,
    );
    expect(() => new RedisSessionStore({ readCache: 'on' as unknown as false })).toThrow(
      /^RedisSessionStore option `readCache` must be an object \(\{ maxEntries, leaseMs \}\) or false/,
    );
  });
});
