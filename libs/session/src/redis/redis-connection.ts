import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A Redis server address, as `{ host, port }` or as `'host:port'` text (`'[::1]:6379'` for IPv6). */
export type RedisAddress = string | { readonly host: string; readonly port: number };

/**
 * Where Redis is: exactly one of `url`, `sentinels`, `clusterNodes` or `client` (none means
 * `redis://127.0.0.1:6379`). The same names as `@nest-hive/cluster/redis`.
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
   * closed for you; the connection of durable writes is its `duplicate()`. For fast failures during
   * an outage, create it with `enableOfflineQueue: false`.
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
  /** Queue commands while disconnected or fail them at once (the store's). */
  readonly enableOfflineQueue: boolean;
}

const OWNER = 'RedisSessionStore';
const SOURCES = ['url', 'sentinels', 'clusterNodes', 'client'] as const;
// At most 1 s between attempts: a Sentinel master that was replaced is followed within a second of
// its +switch-master even when the connection is waiting for its next attempt.
const backoff = (attempt: number): number => Math.min(50 * 2 ** attempt, 1_000);

/**
 * Checks that `options` name one place to connect, with addresses that parse.
 *
 * @throws TypeError naming the fix, e.g. when two of `url`, `sentinels`, `clusterNodes` and
 * `client` are given.
 */
export function validateConnectionOptions(options: RedisConnectionOptions): void {
  const given = SOURCES.filter((source) => options[source] !== undefined);
  if (given.length > 1) {
    throw new TypeError(
      `${OWNER} takes exactly one of url, sentinels, clusterNodes or client; got ${given.join(' and ')}. ` +
        'Keep the one that says where your Redis is.',
    );
  }
  if (options.sentinelName !== undefined && options.sentinels === undefined) {
    throw new TypeError(`${OWNER}: \`sentinelName\` needs \`sentinels\` (the sentinels to ask).`);
  }
  if (options.client && options.redisOptions) {
    throw new TypeError(
      `${OWNER}: \`redisOptions\` applies to connections it makes; give them to your \`client\` instead.`,
    );
  }
  for (const list of ['sentinels', 'clusterNodes'] as const) {
    const addresses = options[list];
    if (addresses === undefined) continue;
    if (addresses.length === 0) throw new TypeError(`${OWNER}: \`${list}\` is empty; give at least one.`);
    addresses.forEach((address) => parseAddress(list, address));
  }
}

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

function parseAddress(list: string, address: RedisAddress): { host: string; port: number } {
  if (typeof address === 'object' && address !== null) {
    if (typeof address.host === 'string' && address.host !== '' && validPort(address.port)) {
      return { host: address.host, port: address.port };
    }
  } else if (typeof address === 'string') {
    const match = /^(\[[^\]]+\]|[^:[\]\s]+):(\d+)$/.exec(address.trim());
    const port = Number(match?.[2]);
    if (match?.[1] && validPort(port)) return { host: match[1].replace(/^\[|\]$/g, ''), port };
  }
  throw new TypeError(
    `${OWNER}: \`${list}\` has ${JSON.stringify(address)}; write each as 'host:port' ` +
      "(e.g. '10.0.0.5:26379', '[::1]:6379') or { host, port } with a port from 1 to 65535.",
  );
}

function validPort(port: unknown): boolean {
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536;
}
