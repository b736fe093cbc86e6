/**
 * `@nest-hive/cluster/redis`: broadcasts over Redis pub/sub, for clusters on several machines.
 * Needs `ioredis` (an optional peer dependency).
 *
 * @packageDocumentation
 */
export { DEFAULT_BROADCAST_CHANNEL, redisBroadcastTransport } from './redis-broadcast.transport.js';
export type { RedisBroadcastTransportOptions } from './redis-broadcast-transport.options.js';
