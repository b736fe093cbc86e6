import type { IncomingMessage } from 'node:http';
import type { SessionRuntime } from './session-runtime.js';
import type { CookieObligation, SessionState } from './session-state.js';
import { appendSetCookie, type HeaderTarget } from './set-cookie-header.js';

/**
 * What the client is owed once its session ended here (`regenerate()`,
 * `destroy()`, or another request ending it): an expired cookie if it sent
 * one, else nothing.
 */
export function cookieOwedAfterEnd(state: SessionState): CookieObligation {
  return state.clientSentCookie ? 'clear' : 'none';
}

/**
 * What the client is owed once `reload()` found the session gone: a cookie
 * already owed for the current id stays owed, else as {@link cookieOwedAfterEnd}.
 */
export function cookieOwedAfterReloadMiss(state: SessionState): CookieObligation {
  return state.cookieOwed === 'set' ? 'set' : cookieOwedAfterEnd(state);
}

/**
 * Writes the Set-Cookie the session owes through `target`: the cookie with
 * the current id when one is owed or the session is rolling, else an expired
 * cookie when one is owed. Nothing when nothing is owed, or when a `secure`
 * cookie must not go over this plain-HTTP request (it stays owed then).
 */
export function writeOwedCookie(
  state: SessionState,
  runtime: SessionRuntime,
  req: IncomingMessage,
  target: HeaderTarget,
): void {
  const owed = state.cookieOwed;
  const rolling = runtime.config.rolling && !state.isNew;
  if (owed === 'none' && !rolling) return;
  const secure = runtime.cookieSecurity(req);
  if (secure === undefined) return;
  const codec = runtime.codec;
  const header =
    owed === 'set' || rolling
      ? codec.write(state.id, {
          secure,
          expires: runtime.lifetime.cookieExpiry(state.createdAt, state.storedMaxAge, Date.now()),
        })
      : codec.clear(secure);
  state.cookieOwed = 'none';
  appendSetCookie(target, codec.name, header);
}
