import { InvalidSessionOptionsError } from './session.errors.js';

/** Methods every `SessionStore` must have. */
const REQUIRED_METHODS = ['get', 'set', 'destroy', 'touch'] as const;

/**
 * Checks at start-up that `store` is a `SessionStore`. An express-session
 * store (callback API) is refused with the fix, `fromExpressSessionStore()`,
 * since called as a promise store it would answer with errors, leave orphaned
 * records or crash the process at request time.
 *
 * @throws InvalidSessionOptionsError naming `store`.
 */
export function assertSessionStore(store: unknown): void {
  if (typeof store !== 'object' || store === null) {
    throw new InvalidSessionOptionsError('store', 'must be a SessionStore object.');
  }
  const methods = store as Record<string, unknown>;
  if (isExpressSessionStore(methods)) {
    throw new InvalidSessionOptionsError(
      'store',
      'is an express-session store (callback API), which SessionModule cannot call directly. ' +
        "Wrap it: `import { fromExpressSessionStore } from '@nest-hive/session/express'` and pass " +
        '`store: fromExpressSessionStore(yourStore)`.',
    );
  }
  const missing = REQUIRED_METHODS.filter((name) => typeof methods[name] !== 'function');
  if (missing.length > 0) {
    throw new InvalidSessionOptionsError(
      'store',
      `must implement SessionStore: ${missing.map((name) => `${name}()`).join(', ')} missing.`,
    );
  }
}

/**
 * express-session stores extend its `Store` class, which gives each of them
 * `createSession()`, `load()` and `regenerate()`; stores that do not still
 * take a callback after the id in `get(sid, cb)` and `destroy(sid, cb)`.
 */
function isExpressSessionStore(store: Record<string, unknown>): boolean {
  if (['createSession', 'load', 'regenerate'].every((name) => typeof store[name] === 'function')) return true;
  return arity(store.get) >= 2 && arity(store.destroy) >= 2;
}

function arity(value: unknown): number {
  return typeof value === 'function' ? value.length : 0;
}
