import { type ClusterMessaging } from '@nest-hive/cluster';
import type { ClusterHostLink } from './cluster-host.link.js';
import { MAX_CACHE_IDS, SESSION_CACHE_INVALIDATE, SESSION_CACHE_LEASE } from './cluster-session.topics.js';
import { SessionReadCache } from './session-read-cache.js';

/** Settings of a worker's read cache in front of the primary's session store. */
export interface ClusterReadCacheOptions {
  /** The most sessions a worker keeps copies of (least recently used first out). Default `10000`. */
  maxEntries?: number;
  /**
   * How long (ms) a lease lasts: a worker serves copies only under a lease it renews every quarter
   * of it, and the primary waits at most this long for a worker that does not acknowledge an
   * invalidation (stalled or dying) before acknowledging a write. Default `2000`.
   */
  leaseMs?: number;
}

/** The read cache of one worker, shared by every `ClusterSessionStore` on its endpoint. */
export interface WorkerReadCache {
  /** The copies and their rules. */
  readonly cache: SessionReadCache;
  /** Stops renewing the lease for one store; the last one out ends the lease. */
  release(): void;
}

interface SharedCache {
  readonly cache: SessionReadCache;
  users: number;
  timer: NodeJS.Timeout | undefined;
  removeHandler: () => void;
}

const shared = new WeakMap<ClusterMessaging, SharedCache>();

/** Renews the lease now, handing back the ids the cache let go of. Never rejects. */
async function renew(link: ClusterHostLink, cache: SessionReadCache, leaseMs: number): Promise<void> {
  const askedAt = performance.now();
  try {
    await link.request(SESSION_CACHE_LEASE, { leaseMs, released: cache.released(MAX_CACHE_IDS) });
    cache.granted(askedAt, leaseMs);
  } catch {
    // The primary did not answer in time: the lease runs out and reads go to the primary.
  }
}

/**
 * The read cache of this worker's endpoint: created by the first store that uses it, which answers
 * the primary's invalidations and renews the lease every quarter of it.
 */
export function acquireReadCache(
  messaging: ClusterMessaging,
  link: ClusterHostLink,
  options: Required<ClusterReadCacheOptions>,
): WorkerReadCache {
  let entry = shared.get(messaging);
  if (!entry) {
    const cache = new SessionReadCache({ maxEntries: options.maxEntries, now: () => performance.now() });
    const removeHandler = messaging.handle(SESSION_CACHE_INVALIDATE, ({ ids, all }) => {
      if (all) cache.invalidateAll();
      else cache.invalidate(ids);
      return null;
    });
    entry = { cache, users: 0, timer: undefined, removeHandler };
    shared.set(messaging, entry);
    const { leaseMs } = options;
    void renew(link, cache, leaseMs);
    entry.timer = setInterval(() => void renew(link, cache, leaseMs), leaseMs / 4);
    entry.timer.unref();
  }
  entry.users += 1;
  const current = entry;
  let released = false;
  return {
    cache: current.cache,
    release: () => {
      if (released) return;
      released = true;
      current.users -= 1;
      if (current.users > 0) return;
      clearInterval(current.timer);
      // Copies first: a worker without the handler tells the primary it holds none.
      current.cache.revoke();
      current.removeHandler();
      shared.delete(messaging);
    },
  };
}
