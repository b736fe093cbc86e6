import type { RedisConnectionOptions } from './redis-connection.js';
import type { RedisReadCacheOptions } from './redis-read-cache.js';
import type { SessionSerializer } from './session-serializer.js';

/**
 * Opt-in durable writes: each session write is followed, in the same round trip, by `WAIT` for
 * replicas, and is acknowledged only once they hold it.
 */
export interface RedisDurableWritesOptions {
  /** Replicas that must confirm each write. Default `1`. */
  replicas?: number;
  /**
   * Longest wait for them (ms); it must be shorter than `operationTimeoutMs`. A write not
   * replicated in time fails its request with 503. Default `500`.
   */
  timeoutMs?: number;
}

/**
 * Options of {@link RedisSessionStore}: where Redis is (exactly one of `url`, `sentinels`,
 * `clusterNodes` or `client`; none means `redis://127.0.0.1:6379`), and how sessions are kept.
 * A store that makes its own connection fails fast during an outage (no offline queue) and
 * reconnects forever with backoff; it closes that connection in `close()`.
 */
export interface RedisSessionStoreOptions extends RedisConnectionOptions {
  /**
   * Prefix of every key. Default `'sess:'`. Each session is one hash at
   * `<prefix>{<session id>}`: the braces are a Cluster hash tag, so everything about one session
   * stays in one slot.
   */
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
  /**
   * Acknowledge a write (save, logout, regenerate) only once a replica holds it, so no
   * acknowledged write is lost when the master fails over. Costs a replica's round trip per write,
   * and fails writes (503) while no replica can confirm them (e.g. during a failover). Needs a
   * master with replicas (Sentinel, Cluster, or a replicated server). `true` means
   * `{ replicas: 1, timeoutMs: 500 }`. Touches (idle-timeout extensions) never wait. Default off.
   */
  durableWrites?: boolean | RedisDurableWritesOptions;
  /**
   * A read cache in each process: the sessions it read are kept (least recently used out) and read
   * again without a round trip. Coherent: Redis tells each process of every change to a session key
   * under the prefix (`CLIENT TRACKING`, Redis 6 or later), whoever made it; copies are served only
   * while that news is known to be complete (a lease renewed by `PING` every quarter of `leaseMs`),
   * and all are dropped when a connection, a node or a failover may have lost some. On the workers of
   * `bootstrapCluster()` a write, logout or revoke is acknowledged only once the machine's other
   * workers dropped their copy, so no later request on that machine reads the old value; another
   * machine drops it when Redis' message arrives (a network trip). Workers of another supervisor
   * (PM2, plain `node:cluster`) cannot be told, and keep it off. `false` reads from Redis every time.
   * Default `{ maxEntries: 10000, leaseMs: 2000 }`.
   */
  readCache?: RedisReadCacheOptions | false;
}
