import { describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { resolveTransportSettings } from './redis-broadcast-transport.options.js';
import { createRedisConnection, validateConnectionOptions } from './redis-connection.js';

describe('validateConnectionOptions', () => {
  it.each([
    ['nothing (the default url)', {}],
    ['a url', { url: 'redis://10.0.0.1:6379' }],
    ['sentinels', { sentinels: ['10.0.0.1:26379', { host: 'sentinel-2', port: 26379 }], sentinelName: 'c' }],
    ['cluster nodes', { clusterNodes: ['[::1]:7000', 'redis-0.redis:7000'] }],
    ['a client', { client: new Redis({ lazyConnect: true }) }],
  ])('accepts %s', (_label, options) => {
    expect(() => validateConnectionOptions(options)).not.toThrow();
  });

  it('refuses two places to connect, naming both and the fix', () => {
    expect(() => validateConnectionOptions({ url: 'redis://x:1', sentinels: ['a:1'] })).toThrow(
      new TypeError(
        'RedisBroadcastTransport takes exactly one of url, sentinels, clusterNodes or client; ' +
          'got url and sentinels. Keep the one that says where your Redis is.',
      ),
    );
    expect(() =>
      validateConnectionOptions({ clusterNodes: ['a:1'], client: new Redis({ lazyConnect: true }) }),
    ).toThrow(/got clusterNodes and client/);
  });

  it.each([
    ['10.0.0.1', /`sentinels` has "10.0.0.1"; write each as 'host:port'/],
    ['host:0', /has "host:0"/],
    ['host:70000', /has "host:70000"/],
    ['host:port', /has "host:port"/],
    [':6379', /has ":6379"/],
    ['::1:6379', /has "::1:6379"/],
  ])('refuses the sentinel address %j with a clear message', (address, message) => {
    expect(() => validateConnectionOptions({ sentinels: [address] })).toThrow(message);
  });

  it('refuses bad { host, port } objects, empty lists, a lone sentinelName, redisOptions with a client', () => {
    expect(() => validateConnectionOptions({ clusterNodes: [{ host: '', port: 7000 }] })).toThrow(TypeError);
    expect(() => validateConnectionOptions({ clusterNodes: [{ host: 'a', port: 1.5 }] })).toThrow(TypeError);
    expect(() => validateConnectionOptions({ clusterNodes: [] })).toThrow(/`clusterNodes` is empty/);
    expect(() => validateConnectionOptions({ url: 'redis://x:1', sentinelName: 'm' })).toThrow(
      /`sentinelName` needs `sentinels`/,
    );
    expect(() =>
      validateConnectionOptions({
        client: new Redis({ lazyConnect: true }),
        redisOptions: { password: 'p' },
      }),
    ).toThrow(/give them to your `client` instead/);
  });
});

describe('resolveTransportSettings', () => {
  it('applies the defaults', () => {
    expect(resolveTransportSettings({})).toEqual({
      channel: 'nest-hive:broadcast',
      intervalMs: 1_000,
      timeoutMs: 3_000,
    });
  });

  it.each([
    [{ watchdogIntervalMs: 0 }, /`watchdogIntervalMs` must be a number of ms, at least 10; got 0/],
    [{ watchdogIntervalMs: Number.NaN }, /`watchdogIntervalMs`/],
    [
      { watchdogTimeoutMs: 1_000 },
      /`watchdogTimeoutMs` \(1000\) must be more than `watchdogIntervalMs` \(1000\)/,
    ],
    [{ watchdogIntervalMs: 500, watchdogTimeoutMs: Number.POSITIVE_INFINITY }, /`watchdogTimeoutMs`/],
    [{ channel: '' }, /`channel` must be a non-empty string/],
  ])('refuses %p', (options, message) => {
    expect(() => resolveTransportSettings(options)).toThrow(message);
  });
});

describe('createRedisConnection', () => {
  it('makes a Sentinel connection that follows +switch-master and reconnects on READONLY', () => {
    const redis = createRedisConnection(
      { sentinels: ['127.0.0.1:1', { host: '127.0.0.1', port: 2 }], redisOptions: { lazyConnect: true } },
      { enableOfflineQueue: false },
    );
    try {
      expect(redis).toBeInstanceOf(Redis);
      const options = (redis as Redis).options;
      expect(options.failoverDetector).toBe(true);
      expect(options.name).toBe('mymaster');
      expect(options.sentinels).toEqual([
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: 2 },
      ]);
      expect(options.enableOfflineQueue).toBe(false);
      expect(options.reconnectOnError?.(new Error('READONLY You can not write against a replica.'))).toBe(
        true,
      );
      expect(options.reconnectOnError?.(new Error('ERR wrong number of arguments'))).toBe(false);
    } finally {
      redis.disconnect();
    }
  });

  it('lets redisOptions override the Sentinel defaults, but not the offline queue', () => {
    const redis = createRedisConnection(
      {
        sentinels: ['127.0.0.1:1'],
        sentinelName: 'cache',
        redisOptions: {
          lazyConnect: true,
          failoverDetector: false,
          enableOfflineQueue: false,
          password: 'pw',
        },
      },
      { enableOfflineQueue: true },
    ) as Redis;
    try {
      expect(redis.options).toMatchObject({
        failoverDetector: false,
        enableOfflineQueue: true,
        password: 'pw',
        name: 'cache',
      });
    } finally {
      redis.disconnect();
    }
  });

  it('makes a Cluster connection with redisOptions for each node', () => {
    const cluster = createRedisConnection(
      { clusterNodes: ['127.0.0.1:1'], redisOptions: { password: 'pw', enableOfflineQueue: true } },
      { enableOfflineQueue: false },
    );
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      const options = (cluster as Cluster).options;
      expect(options.enableOfflineQueue).toBe(false);
      expect(options.redisOptions).toMatchObject({ password: 'pw' });
      expect(options.redisOptions).not.toHaveProperty('enableOfflineQueue');
    } finally {
      cluster.disconnect();
    }
  });

  it('duplicates a client it was given (with its own offline queue setting)', () => {
    const client = new Redis({ lazyConnect: true, enableOfflineQueue: false, connectionName: 'mine' });
    const duplicate = createRedisConnection({ client }, { enableOfflineQueue: true }) as Redis;
    try {
      expect(duplicate).not.toBe(client);
      expect(duplicate.options).toMatchObject({ connectionName: 'mine', enableOfflineQueue: true });
    } finally {
      duplicate.disconnect();
      client.disconnect();
    }
  });
});
