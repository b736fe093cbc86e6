import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { SameHostRelay } from '../cluster/redis-cache-relay.js';
import { SessionReadCache } from '../cluster/session-read-cache.js';
import type { StoredSessionRecord } from '../session-record.interface.js';
import { RedisInvalidationFeed } from './redis-invalidation-feed.js';

/** Settings of a process' read cache in front of Redis. */
export interface RedisReadCacheOptions {
  /** The most sessions a process keeps copies of (least recently used first out). Default `10000`. */
  maxEntries?: number;
  /**
   * How long (ms) a lease lasts. Copies are served only while every tracking connection answered a
   * `PING` sent within it (renewed every quarter of it), so a process cut off from Redis stops
   * serving them by then; on a cluster worker the primary's relay waits at most this long for a
   * stalled worker. Default `2000`.
   */
  leaseMs?: number;
}

/** Where the cache stands on the machine's other workers. */
type Relay =
  | { readonly state: 'alone' }
  | { readonly state: 'joining' }
  | { readonly state: 'joined'; readonly relay: SameHostRelay }
  | { readonly state: 'unsafe' };

/**
 * A process' copies of the Redis sessions it read, kept coherent by Redis itself: each node sends
 * the name of every session key that changes (`CLIENT TRACKING`, see
 * {@link RedisInvalidationFeed}), and copies are served only under a lease renewed by a `PING`
 * behind those invalidations. On the workers of `bootstrapCluster()`, a write is also relayed
 * through the primary to the machine's other workers before it is acknowledged, so no later request
 * on that machine reads the old value. Workers of another supervisor cannot relay: their cache
 * stays off.
 */
export class RedisReadCache {
  private readonly cache: SessionReadCache;
  private readonly feed: RedisInvalidationFeed;
  private readonly timer: NodeJS.Timeout;
  private relay: Relay;
  /** Counts the times tracking was lost: a heartbeat begun before the last loss grants nothing. */
  private losses = 0;
  private closed = false;

  /**
   * @param client - the store's data client.
   * @param prefix - the store's key prefix (sessions are at `<prefix>{<id>}`).
   * @param options - checked settings.
   * @param relayTimeoutMs - longest wait for the primary to relay a write.
   */
  constructor(
    client: Redis | Cluster,
    private readonly prefix: string,
    private readonly options: Required<RedisReadCacheOptions>,
    private readonly relayTimeoutMs: number,
  ) {
    this.cache = new SessionReadCache({ maxEntries: options.maxEntries, now: () => performance.now() });
    const keyStart = `${prefix}{`;
    this.feed = new RedisInvalidationFeed(client, keyStart, {
      keys: (keys) => this.cache.invalidate(idsOf(keys, keyStart)),
      everything: () => this.cache.invalidateAll(),
      lost: () => {
        this.losses += 1;
        this.cache.revoke();
      },
    });
    this.relay = cluster.isWorker ? { state: 'joining' } : { state: 'alone' };
    if (cluster.isWorker) void this.joinRelay();
    this.timer = setInterval(() => void this.renew(), options.leaseMs / 4);
    this.timer.unref();
    void this.renew();
  }

  /** Copies held, and reads answered from a copy (`hits`) or from Redis (`misses`). */
  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.cache.size, hits: this.cache.hits, misses: this.cache.misses };
  }

  /** The copy of `id` when one may be served now. */
  lookup(id: string): StoredSessionRecord | undefined {
    return this.cache.lookup(id, Date.now());
  }

  /** The copy of `id` when one may be served, else `fetch()`'s answer (kept unless overtaken). */
  async read(
    id: string,
    fetch: () => Promise<StoredSessionRecord | undefined>,
  ): Promise<StoredSessionRecord | undefined> {
    const copy = this.cache.lookup(id, Date.now());
    if (copy) return copy;
    const token = this.cache.startRead(id);
    let record: StoredSessionRecord | undefined;
    try {
      record = await fetch();
    } finally {
      this.cache.finishRead(id, token, record);
    }
    return record;
  }

  /**
   * Runs a write of sessions `ids` (`'all'`: of every session): no copy of them is kept around it,
   * and it resolves only once the machine's other workers dropped theirs.
   */
  async write<T>(ids: readonly string[] | 'all', write: () => Promise<T>): Promise<T> {
    this.drop(ids);
    try {
      return await write();
    } finally {
      this.drop(ids);
      const { relay } = this;
      if (relay.state === 'joined') await relay.relay.relay(ids, this.relayTimeoutMs);
    }
  }

  /** Stops the lease, the tracking connections and the relay. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.cache.revoke();
    this.feed.close();
    if (this.relay.state === 'joined') this.relay.relay.close();
  }

  private drop(ids: readonly string[] | 'all'): void {
    if (ids === 'all') this.cache.invalidateAll();
    else this.cache.invalidate(ids);
  }

  /** Renews the lease once every tracking connection (and, on a worker, the primary) answered. */
  private async renew(): Promise<void> {
    const askedAt = performance.now();
    const losses = this.losses;
    const { relay } = this;
    const [tracked, relayed] = await Promise.all([
      this.feed.heartbeat(),
      relay.state === 'joined' ? relay.relay.renew(this.options.leaseMs) : relay.state === 'alone',
    ]);
    const intact = losses === this.losses && this.feed.tracking;
    if (tracked && relayed && intact && !this.closed) this.cache.granted(askedAt, this.options.leaseMs);
  }

  private async joinRelay(): Promise<void> {
    let relay: SameHostRelay | undefined;
    try {
      const { joinSameHostRelay } = await import('../cluster/redis-cache-relay.js');
      relay = joinSameHostRelay(this.prefix, this.cache);
    } catch {
      relay = undefined; // @nest-hive/cluster is not installed
    }
    if (this.closed) {
      relay?.close();
      return;
    }
    if (relay) {
      this.relay = { state: 'joined', relay };
      return;
    }
    this.relay = { state: 'unsafe' };
    new Logger('RedisSessionStore').log(
      'Read cache off: this process is a cluster worker not started by bootstrapCluster() from ' +
        '@nest-hive/cluster, so its writes cannot reach the other workers’ copies. ' +
        'Start the workers with bootstrapCluster(), or pass readCache: false to say so.',
    );
    this.close();
  }
}

/** The session ids of the session keys among `keys` (`<prefix>{<id>}`). */
function idsOf(keys: readonly string[], keyStart: string): string[] {
  const ids: string[] = [];
  for (const key of keys) {
    if (key.startsWith(keyStart) && key.endsWith('}')) ids.push(key.slice(keyStart.length, -1));
  }
  return ids;
}
