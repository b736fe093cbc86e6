import { describe, expect, it } from '@jest/globals';
import { SessionLifetime } from './session-lifetime.js';
import { createCookieView, type CookieViewSource } from './session-cookie-view.js';
import { SessionState } from './session-state.js';

/** A session state that counts the changes it hears of. */
class CountingSession extends SessionState implements CookieViewSource {
  changes = 0;
  noteMayChange(): void {
    this.changes++;
  }
}

const lifetime = new SessionLifetime(
  { idleTimeoutMs: undefined, absoluteTimeoutMs: undefined, touchAfterMs: 0, cookie: { maxAge: 60_000 } },
  86_400_000,
);

describe('createCookieView', () => {
  it('reads maxAge and expires from the session as they are now', () => {
    const session = new CountingSession();
    const cookie = createCookieView(session, lifetime);
    expect(cookie.maxAge).toBe(60_000);
    const expires = cookie.expires?.getTime() ?? 0;
    expect(Math.abs(expires - (Date.now() + 60_000))).toBeLessThan(1_000);
    session.storedMaxAge = null;
    expect([cookie.maxAge, cookie.expires]).toEqual([null, undefined]);
    expect(Object.keys(cookie)).toEqual(['maxAge', 'expires']);
  });

  it('saves a new maxAge (rounded) with the next commit, and tells the session', () => {
    const session = new CountingSession();
    const cookie = createCookieView(session, lifetime);
    cookie.maxAge = 1_000.4;
    expect([session.storedMaxAge, session.maxAgeChanged, session.changes]).toEqual([1_000, true, 1]);
    cookie.maxAge = null;
    expect(session.storedMaxAge).toBeNull();
  });

  it('refuses a negative or non-finite maxAge, changing nothing', () => {
    const session = new CountingSession();
    const cookie = createCookieView(session, lifetime);
    expect(() => (cookie.maxAge = -1)).toThrow(TypeError);
    expect(() => (cookie.maxAge = Number.NaN)).toThrow(TypeError);
    expect([session.maxAgeChanged, session.changes]).toEqual([false, 0]);
  });
});
