import type { SessionCookie } from '../session.interfaces.js';
import type { SessionLifetime } from './session-lifetime.js';
import type { SessionState } from './session-state.js';

/** The session behind a cookie view: its state, and the hook that a change is coming. */
export interface CookieViewSource extends SessionState {
  /** Hears that the session may change (its response is then held for the commit). */
  noteMayChange(): void;
}

/**
 * The `session.cookie` object: `maxAge` (read and set; a set is saved with
 * the next commit) and `expires` (read only), both computed when read.
 */
export function createCookieView(source: CookieViewSource, lifetime: SessionLifetime): SessionCookie {
  const view = {} as SessionCookie;
  Object.defineProperties(view, {
    maxAge: {
      enumerable: true,
      get: () => lifetime.maxAge(source.storedMaxAge),
      set: (value: number | null) => {
        if (value !== null && (!Number.isFinite(value) || value < 0)) {
          throw new TypeError(
            'session.cookie.maxAge must be a non-negative number of milliseconds, or null.',
          );
        }
        source.noteMayChange();
        source.changeMaxAge(value === null ? null : Math.round(value));
      },
    },
    expires: {
      enumerable: true,
      get: () => lifetime.cookieExpiry(source.createdAt, source.storedMaxAge, Date.now()),
    },
  });
  return view;
}
