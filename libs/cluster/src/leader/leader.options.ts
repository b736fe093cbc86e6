import { type RedisAddress, validateConnectionOptions } from '../redis/redis-address.js';

/**
 * Where a fleet's lease lives: exactly one of `url`, `sentinels` (with `sentinelName`) or
 * `clusterNodes`, as for `redisBroadcastTransport()`, with the credentials. Plain data: the
 * primary opens the connection, and ioredis is loaded only there.
 */
export interface LeaderRedisOptions {
  /** One Redis server, e.g. `redis://:password@host:6379/0`. */
  readonly url?: string;
  /** Redis Sentinel: the sentinels to ask for the current master. */
  readonly sentinels?: readonly RedisAddress[];
  /** The master group the sentinels monitor. Default `'mymaster'`. */
  readonly sentinelName?: string;
  /** Redis Cluster: some of its nodes. */
  readonly clusterNodes?: readonly RedisAddress[];
  /** The ACL user of the data nodes. */
  readonly username?: string;
  /** The password of the data nodes. */
  readonly password?: string;
  /** The password of the sentinels. */
  readonly sentinelPassword?: string;
}

/**
 * Options of `ClusterLeaderModule.forRoot()`. Without `redis`, the primary elects one leader among
 * its own workers; with it, the primaries of every machine contend for a lease in Redis, and only
 * the machine that holds it has a leader: one for the fleet.
 */
export interface ClusterLeaderModuleOptions {
  /**
   * Where the fleet's lease lives: one server (`url`), Sentinel or Cluster, as for
   * `redisBroadcastTransport()` (a `client` cannot be passed: the primary opens its own connection).
   */
  readonly redis?: LeaderRedisOptions;
  /** The lease's Redis key; every machine of one fleet uses the same. Default `'nest-hive:leader'`. */
  readonly key?: string;
  /**
   * How long a lease lasts unless renewed, ms (renewed every third of it). A leader that cannot
   * renew stops leading before its lease runs out in Redis, so a machine cut off from Redis stops
   * its jobs before another machine starts them. At least 300. Default 5 000.
   */
  readonly leaseMs?: number;
}

/** The options the primary's election runs with (sent over IPC: plain data). */
export interface ResolvedLeaderOptions {
  readonly redis: LeaderRedisOptions | null;
  readonly key: string;
  readonly leaseMs: number;
}

/** Default lease key. */
export const DEFAULT_LEADER_KEY = 'nest-hive:leader';

/**
 * Checks `options` and applies the defaults.
 *
 * @throws TypeError naming the fix.
 */
export function resolveLeaderOptions(options: ClusterLeaderModuleOptions = {}): ResolvedLeaderOptions {
  const leaseMs = options.leaseMs ?? 5_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 300) {
    throw new TypeError(
      `ClusterLeaderModule: leaseMs must be a whole number of ms, at least 300; got ${leaseMs}.`,
    );
  }
  const key = options.key ?? DEFAULT_LEADER_KEY;
  if (typeof key !== 'string' || key === '' || /[{}]/.test(key)) {
    throw new TypeError(
      `ClusterLeaderModule: key must be a non-empty string without braces; got ${JSON.stringify(key)}.`,
    );
  }
  if (options.redis) {
    if ('client' in options.redis) {
      throw new TypeError(
        'ClusterLeaderModule: redis.client cannot reach the primary, which holds the lease; give url, sentinels or clusterNodes.',
      );
    }
    validateConnectionOptions(options.redis);
  }
  return { redis: options.redis ?? null, key, leaseMs };
}

/** Runtime guard for the options a worker sends the primary. */
export function isResolvedLeaderOptions(value: unknown): value is ResolvedLeaderOptions {
  if (typeof value !== 'object' || value === null) return false;
  const { redis, key, leaseMs } = value as Record<string, unknown>;
  return (
    (redis === null || (typeof redis === 'object' && redis !== undefined)) &&
    typeof key === 'string' &&
    typeof leaseMs === 'number' &&
    leaseMs >= 300
  );
}
