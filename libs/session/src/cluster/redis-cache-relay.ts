import { type ClusterMessaging } from '@nest-hive/cluster';
import { getProcessMessaging, startPrimaryHost } from '@nest-hive/cluster/extensions';
import { MAX_CACHE_IDS } from './cluster-session.topics.js';
import { redisCacheRelayHost } from './redis-cache-relay.host.js';
import { REDIS_CACHE_DROP, REDIS_CACHE_LEASE, REDIS_CACHE_RELAY } from './redis-cache-relay.topics.js';

/** What the relay does with a worker's copies: the read cache's side. */
export interface RelayedCache {
  /** Drops the copies of these sessions. */
  invalidate(ids: Iterable<string>): void;
  /** Drops every copy. */
  invalidateAll(): void;
}

/** A worker's line to the other workers' caches of one Redis store, through the primary. */
export interface SameHostRelay {
  /** Asks the primary for a lease of `leaseMs`; whether it was granted. Never rejects. */
  renew(leaseMs: number): Promise<boolean>;
  /** Resolves once every other worker dropped its copies of `ids` (`'all'`: of every session). */
  relay(ids: readonly string[] | 'all', timeoutMs: number): Promise<void>;
  /** Stops answering the primary's invalidations for this cache. */
  close(): void;
}

/** The caches of each store (scope) on one worker's endpoint, and the handler that reaches them. */
const endpoints = new WeakMap<ClusterMessaging, Map<string, Set<RelayedCache>>>();

function register(messaging: ClusterMessaging, scope: string, cache: RelayedCache): () => void {
  let scopes = endpoints.get(messaging);
  if (!scopes) {
    const known = new Map<string, Set<RelayedCache>>();
    messaging.handle(REDIS_CACHE_DROP, ({ scope: target, ids, all }) => {
      for (const each of known.get(target) ?? []) {
        if (all) each.invalidateAll();
        else each.invalidate(ids);
      }
      return null;
    });
    endpoints.set(messaging, known);
    scopes = known;
  }
  const caches = scopes.get(scope) ?? new Set<RelayedCache>();
  scopes.set(scope, caches);
  caches.add(cache);
  return () => caches.delete(cache);
}

/**
 * Joins the relay of this machine's workers for the store `scope` (its key prefix), when this
 * process is a worker of `bootstrapCluster()`; `undefined` anywhere else.
 */
export function joinSameHostRelay(scope: string, cache: RelayedCache): SameHostRelay | undefined {
  const messaging = getProcessMessaging();
  if (!messaging || messaging.self.mode !== 'cluster' || messaging.self.isPrimary) return undefined;
  const unregister = register(messaging, scope, cache);
  let started: Promise<void> | undefined;
  const attached = (): Promise<void> =>
    (started ??= startPrimaryHost(messaging, redisCacheRelayHost, {}).catch((error: unknown) => {
      started = undefined;
      throw error;
    }));
  return {
    async renew(leaseMs) {
      try {
        await attached();
        await messaging.request(REDIS_CACHE_LEASE, { scope, leaseMs }, { to: 'primary', timeoutMs: leaseMs });
        return true;
      } catch {
        return false;
      }
    },
    async relay(ids, timeoutMs) {
      await attached();
      const all = ids === 'all';
      const parts: (readonly string[])[] = [];
      for (let from = 0; !all && from < ids.length; from += MAX_CACHE_IDS) {
        parts.push(ids.slice(from, from + MAX_CACHE_IDS));
      }
      if (all) parts.push([]);
      await Promise.all(
        parts.map((part) =>
          messaging.request(REDIS_CACHE_RELAY, { scope, ids: [...part], all }, { to: 'primary', timeoutMs }),
        ),
      );
    },
    close: unregister,
  };
}
