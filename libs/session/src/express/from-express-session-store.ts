import { InvalidSessionOptionsError } from '../session.errors.js';
import { BesideStore, checkedIndexStore, DEFAULT_TOMBSTONE_TTL_MS } from './beside-store.js';
import type { SessionStore } from '../session-store.interface.js';
import {
  DEFAULT_EXPRESS_STORE_TIMEOUT_MS,
  ExpressSessionStoreAdapter,
} from './express-session-store.adapter.js';
import type {
  ExpressSessionStoreLike,
  ExpressSessionStoreOptions,
} from './express-session-store.interface.js';

/**
 * Turns any express-session store into a `SessionStore`, so that the sessions
 * an express-session application keeps (in connect-redis, connect-pg-simple,
 * connect-mongo…) stay where they are.
 *
 * @throws InvalidSessionOptionsError when `store` lacks `get`, `set` or `destroy`, or `timeoutMs` is invalid.
 * @example
 * ```ts
 * import { RedisStore } from 'connect-redis';
 * import { createClient } from 'redis';
 * import { fromExpressSessionStore } from '@nest-hive/session/express';
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * await client.connect();
 * SessionModule.forRoot({ secret, store: fromExpressSessionStore(new RedisStore({ client })) });
 * ```
 */
export function fromExpressSessionStore(
  store: ExpressSessionStoreLike,
  options: ExpressSessionStoreOptions = {},
): SessionStore {
  if (typeof store !== 'object' || store === null) {
    throw new InvalidSessionOptionsError(
      'store',
      'given to fromExpressSessionStore() must be an express-session store.',
    );
  }
  const methods = store as unknown as Record<string, unknown>;
  const missing = ['get', 'set', 'destroy'].filter((name) => typeof methods[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidSessionOptionsError(
      'store',
      `given to fromExpressSessionStore() lacks ${missing.map((name) => `${name}()`).join(', ')}: ` +
        'an express-session store needs get, set and destroy.',
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXPRESS_STORE_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidSessionOptionsError(
      'timeoutMs',
      'of fromExpressSessionStore() must be a positive integer (ms).',
    );
  }
  const tombstoneTtlMs = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
  if (!Number.isInteger(tombstoneTtlMs) || tombstoneTtlMs <= 0) {
    throw new InvalidSessionOptionsError(
      'tombstoneTtlMs',
      'of fromExpressSessionStore() must be a positive integer (ms).',
    );
  }
  const beside = new BesideStore(checkedIndexStore(options.indexStore), tombstoneTtlMs);
  return new ExpressSessionStoreAdapter(store, timeoutMs, beside);
}
