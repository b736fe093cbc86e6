import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type RedisAddress, parseAddress } from './redis-address.js';

export { type RedisAddress, validateConnectionOptions } from './redis-address.js';

/**
 * Where Redis is: exactly one of `url`, `sentinels`, `clusterNodes` or `client` (none means
 * `redis://127.0.0.1:6379`). The same names as `@nest-hive/session/redis`.
 */
export interface RedisConnectionOptions {
  /** One Redis server, e.g. `redis://:password@host:6379/0`. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * Redis Sentinel: the sentinels to ask for the current master (any one that answers is
   * enough), e.g. `['10.0.0.1:26379', '10.0.0.2:26379']`. The connections follow a promotion at
   * once (ioredis `failoverDetector`, which listens for `+switch-master`) and reconnect when a
   * demoted master answers `READONLY`.
   */
  sentinels?: readonly RedisAddress[];
  /** The master group the sentinels monitor. Default `'mymaster'`. Only with `sentinels`. */
  sentinelName?: string;
  /** Redis Cluster: some of its nodes (the client discovers the rest), e.g. `['10.0.0.1:7000']`. */
  clusterNodes?: readonly RedisAddress[];
  /**
   * An ioredis client you made (`Redis`, with or without Sentinel, or `Cluster`). It is never
   * closed for you; connections that must be separate (a subscriber) are its `duplicate()`.
   */
  client?: Redis | Cluster;
  /**
   * Further ioredis options for each connection made from `url`, `sentinels` or `clusterNodes`
   * (a password, TLS, `sentinelPassword`…); for a Cluster they become `ClusterOptions.redisOptions`.
   * Not with `client` (give them to your client instead).
   */
  redisOptions?: RedisOptions;
}

/** How a connection behaves while Redis is away. */
export interface ConnectionBehaviour {
  /** Queue commands while disconnected (a subscriber) or fail them at once (a publisher). */
  readonly enableOfflineQueue: boolean;
}

// At most 1 s between attempts: a Sentinel master that was replaced is followed within a second of
// its +switch-master even when the connection is waiting for its next attempt.
const backoff = (attempt: number): number => Math.min(50 * 2 ** attempt, 1_000);

/**
 * Opens a connection to where `options` say (a `duplicate()` of `options.client` when given),
 * reconnecting forever with a backoff of at most 1 s. Without an offline queue a command fails
 * at once while Redis is away; with one it waits until Redis is back. Sentinel connections follow a promotion at
 * once and reconnect on `READONLY`; a Cluster connection retries moved and failed-over slots.
 */
export function createRedisConnection(
  options: RedisConnectionOptions,
  behaviour: ConnectionBehaviour,
): Redis | Cluster {
  const { enableOfflineQueue } = behaviour;
  // A queued command (the subscriber's SUBSCRIBE) waits for Redis however long it takes.
  const maxRetriesPerRequest = enableOfflineQueue ? null : 1;
  const common: RedisOptions = { maxRetriesPerRequest, ...options.redisOptions };
  if (options.client instanceof Cluster) return options.client.duplicate([], { enableOfflineQueue });
  if (options.client) {
    return options.client.duplicate({ enableOfflineQueue, maxRetriesPerRequest, retryStrategy: backoff });
  }
  if (options.clusterNodes) {
    const { retryStrategy: _retry, enableOfflineQueue: _queue, ...redisOptions } = common;
    return new Cluster(
      options.clusterNodes.map((address) => parseAddress('clusterNodes', address)),
      {
        enableOfflineQueue,
        redisOptions,
        clusterRetryStrategy: backoff,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
      },
    );
  }
  const settings: RedisOptions = { retryStrategy: backoff, ...common, enableOfflineQueue };
  if (options.sentinels) {
    return new Redis({
      failoverDetector: true,
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
      ...settings,
      sentinels: options.sentinels.map((address) => parseAddress('sentinels', address)),
      name: options.sentinelName ?? 'mymaster',
    });
  }
  return new Redis(options.url ?? 'redis://127.0.0.1:6379', settings);
}
