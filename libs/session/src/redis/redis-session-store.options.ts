import type { Redis } from 'ioredis';
import type { SessionSerializer } from './session-serializer.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * An existing ioredis client. The store never closes it. For fast failures
   * during an outage, create it with `enableOfflineQueue: false`.
   */
  client?: Redis;
  /**
   * Where to connect when no `client` is given, e.g. `redis://127.0.0.1:6379`.
   * The store creates the client (with no offline queue and reconnecting
   * forever with backoff) and closes it in {@link RedisSessionStore.close}.
   */
  url?: string;
  /** Prefix of every key. Default `'sess:'`. */
  prefix?: string;
  /** Serializer for each data key's value. Default: JSON. */
  serializer?: SessionSerializer;
  /**
   * Longest time (ms) one store call may take, waiting for a connection
   * included, before it fails (and the request gets a 503). Default `2000`.
   */
  operationTimeoutMs?: number;
  /** `COUNT` hint of each `SCAN` step in `clear()` and `length()`. Default `500`. */
  scanCount?: number;
}
