import { type RedisConnectionOptions, validateConnectionOptions } from './redis-connection.js';

/**
 * Options of `redisBroadcastTransport()`: where Redis is (exactly one of `url`, `sentinels`,
 * `clusterNodes` or `client`; none means `redis://127.0.0.1:6379`), the channel, and the
 * watchdog that keeps the subscription honest.
 *
 * Delivery is at most once: a broadcast published while a subscriber is cut off (a failover, a
 * lost connection) is not sent again. Each packet carries its sender's id and sequence number,
 * so receivers count what they missed (`nest_hive_cluster_broadcast_gaps_total`).
 *
 * On a Redis Cluster the transport uses classic pub/sub (`SUBSCRIBE`/`PUBLISH`, which reach
 * every node), and publishes through one node at a time so that one sender's broadcasts keep
 * their order. Sharded pub/sub is not offered: measured here, ioredis lost a sharded
 * subscription for good after a `CLUSTER FAILOVER`.
 *
 * @example
 * ```ts
 * redisBroadcastTransport({ sentinels: ['10.0.0.1:26379', '10.0.0.2:26379'], sentinelName: 'cache' });
 * redisBroadcastTransport({ clusterNodes: ['10.0.0.1:7000'], redisOptions: { password } });
 * ```
 */
export interface RedisBroadcastTransportOptions extends RedisConnectionOptions {
  /**
   * The pub/sub channel. Every process that should see the same broadcasts (on any machine)
   * uses the same channel. Default `'nest-hive:broadcast'`.
   */
  channel?: string;
  /**
   * How often (ms) the watchdog sends this transport a ping through Redis, on a channel of its own
   * (`<channel>:ping:<sender id>`, so pings reach no other process). Default `1000`; at least 10.
   */
  watchdogIntervalMs?: number;
  /**
   * How long (ms) without an echo of its own ping before the transport reports itself `degraded`
   * (`ClusterService.transportStatus$`, a warning in the log, the
   * `nest_hive_cluster_broadcast_transport_degraded` gauge) and forces its subscriber to reconnect
   * and resubscribe; again every `watchdogTimeoutMs` while no echo comes. The first echo after
   * that reports it `healthy`. Also how long a broadcast that arrives out of order may be late
   * before it is counted missing, and the longest wait for Redis to answer a `PUBLISH` (then
   * `broadcast()` rejects, and a connection the transport made is remade). Default `3000`; more
   * than `watchdogIntervalMs`.
   */
  watchdogTimeoutMs?: number;
}

/** Default pub/sub channel. */
export const DEFAULT_BROADCAST_CHANNEL = 'nest-hive:broadcast';

/** The settings a transport runs with, checked, defaults applied. */
export interface ResolvedTransportSettings {
  /** The broadcast channel. */
  readonly channel: string;
  /** Ping interval (ms). */
  readonly intervalMs: number;
  /** Longest time without an echo (ms). */
  readonly timeoutMs: number;
}

/**
 * Checks `options` and applies the defaults.
 *
 * @throws TypeError naming the fix when an option is invalid.
 */
export function resolveTransportSettings(options: RedisBroadcastTransportOptions): ResolvedTransportSettings {
  validateConnectionOptions(options);
  const channel = options.channel ?? DEFAULT_BROADCAST_CHANNEL;
  if (typeof channel !== 'string' || channel === '') {
    throw new TypeError('RedisBroadcastTransport: `channel` must be a non-empty string.');
  }
  const intervalMs = options.watchdogIntervalMs ?? 1_000;
  const timeoutMs = options.watchdogTimeoutMs ?? 3_000;
  if (!Number.isFinite(intervalMs) || intervalMs < 10) {
    throw new TypeError(
      `RedisBroadcastTransport: \`watchdogIntervalMs\` must be a number of ms, at least 10; got ${intervalMs}.`,
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= intervalMs) {
    throw new TypeError(
      `RedisBroadcastTransport: \`watchdogTimeoutMs\` (${timeoutMs}) must be more than ` +
        `\`watchdogIntervalMs\` (${intervalMs}), so that a ping can come back in time; e.g. 3 times it.`,
    );
  }
  return { channel, intervalMs, timeoutMs };
}
