/**
 * `@nest-hive/cluster/redis`: broadcasts over Redis pub/sub (one server, Sentinel or Cluster), for
 * clusters on several machines. Needs `ioredis` (an optional peer dependency).
 *
 * @packageDocumentation
 */
export { DEFAULT_BROADCAST_CHANNEL, redisBroadcastTransport } from './redis-broadcast.transport.js';
export type { RedisBroadcastTransportOptions } from './redis-broadcast-transport.options.js';
export type { RedisAddress, RedisConnectionOptions } from './redis-connection.js';
