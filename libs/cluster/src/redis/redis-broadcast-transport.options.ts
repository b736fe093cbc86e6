import type { Redis } from 'ioredis';

/** Options of `redisBroadcastTransport()`. */
export interface RedisBroadcastTransportOptions {
  /**
   * An existing ioredis client to publish with; the subscriber is a
   * `duplicate()` of it. The transport never closes this client.
   */
  client?: Redis;
  /** Where to connect when no `client` is given. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * The pub/sub channel. Every process that should see the same broadcasts
   * (on any machine) uses the same channel. Default `'nest-hive:broadcast'`.
   */
  channel?: string;
}
