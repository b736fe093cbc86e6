export {
  DEFAULT_BROADCAST_CHANNEL,
  isBroadcastPacket,
  RedisClusterTransport,
  redisClusterTransport,
} from './redis-cluster.transport.js';
export type { RedisClusterTransportOptions } from './redis-cluster-transport.options.js';
