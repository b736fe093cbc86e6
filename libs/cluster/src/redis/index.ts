export {
  DEFAULT_BROADCAST_CHANNEL,
  RedisBroadcastTransport,
  redisBroadcastTransport,
} from './redis-broadcast.transport.js';
export type { RedisBroadcastTransportOptions } from './redis-broadcast-transport.options.js';
