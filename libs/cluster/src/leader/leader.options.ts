import { type RedisConnectionOptions, validateConnectionOptions } from '../redis/redis-connection.js';

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
  readonly redis?: Omit<RedisConnectionOptions, 'client'>;
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
  readonly redis: Omit<RedisConnectionOptions, 'client'> | null;
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
