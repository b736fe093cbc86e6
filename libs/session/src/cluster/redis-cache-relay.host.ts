import { type PrimaryRuntime } from '@nest-hive/cluster';
import { definePrimaryHost } from '@nest-hive/cluster/extensions';
import { isPlainObject } from '../core/guards.js';
import { CacheHolders } from './cache-holders.js';
import { REDIS_CACHE_DROP, REDIS_CACHE_LEASE, REDIS_CACHE_RELAY } from './redis-cache-relay.topics.js';

/** The relay takes no settings. */
export type RedisCacheRelayOptions = Record<string, never>;

function attach(runtime: PrimaryRuntime): void {
  const { messaging } = runtime;
  // One set of leases per store (key prefix): a worker renews the lease of each store it caches.
  const scopes = new Map<string, CacheHolders>();
  const holdersOf = (scope: string): CacheHolders => {
    let holders = scopes.get(scope);
    if (!holders) {
      holders = new CacheHolders({
        messaging,
        post: (worker, ids, all, timeoutMs) =>
          messaging.request(REDIS_CACHE_DROP, { scope, ids, all }, { to: worker, timeoutMs }),
      });
      scopes.set(scope, holders);
    }
    return holders;
  };
  const exits = runtime.events$.subscribe((event) => {
    if (event.type !== 'exit') return;
    for (const holders of scopes.values()) holders.forget(event.workerId);
  });
  runtime.onClose(() => exits.unsubscribe());
  runtime.handle(REDIS_CACHE_LEASE, ({ scope, leaseMs }, { from }) => {
    if (from !== 'primary') holdersOf(scope).grant(from, leaseMs, []);
    return null;
  });
  runtime.handle(REDIS_CACHE_RELAY, async ({ scope, ids, all }, { from }) => {
    const holders = scopes.get(scope);
    if (holders) await (all ? holders.invalidateAll() : holders.invalidateOthers(ids, from));
    return null;
  });
}

/**
 * The primary's side of the Redis read caches of one machine: it relays a worker's writes to the
 * other workers' caches, and answers once each dropped its copies (or its lease ended), so a
 * response that wrote a session is sent only when no worker of the machine can serve the old value.
 * `RedisSessionStore` starts it by itself; there is nothing to call.
 */
export const redisCacheRelayHost = definePrimaryHost<RedisCacheRelayOptions>({
  specifier: '@nest-hive/session/cluster',
  exportName: 'redisCacheRelayHost',
  isOptions: (value): value is RedisCacheRelayOptions => isPlainObject(value),
  attach,
});
