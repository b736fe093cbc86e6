import { describe, expect, it } from '@jest/globals';
import { SessionLifetime, type LifetimeConfig } from './session-lifetime.js';

const MINUTE = 60_000;
const NOW = 1_000_000_000_000;

function lifetime(config: Partial<LifetimeConfig> & { maxAge?: number | null } = {}): SessionLifetime {
  return new SessionLifetime(
    {
      idleTimeoutMs: config.idleTimeoutMs,
      absoluteTimeoutMs: config.absoluteTimeoutMs,
      touchAfterMs: config.touchAfterMs ?? MINUTE,
      cookie: { maxAge: config.maxAge === undefined ? null : config.maxAge },
    },
    24 * 60 * MINUTE,
  );
}

describe('SessionLifetime', () => {
  it('tells an alive record from an expired one and from one past the absolute timeout', () => {
    const absolute = lifetime({ absoluteTimeoutMs: 60 * MINUTE });
    const record = (createdAt: number, expiresAt: number) => ({ data: {}, createdAt, expiresAt });
    expect(absolute.standing(record(NOW - MINUTE, NOW + MINUTE), NOW)).toBe('alive');
    expect(absolute.standing(record(NOW - MINUTE, NOW), NOW)).toBe('expired');
    expect(absolute.standing(record(NOW - 60 * MINUTE, NOW + MINUTE), NOW)).toBe('timed-out');
    expect(lifetime().standing(record(0, NOW + 1), NOW)).toBe('alive');
  });

  it('takes the cookie lifetime from the session, else from the options', () => {
    const sixty = lifetime({ maxAge: 60 * MINUTE });
    expect(sixty.maxAge(undefined)).toBe(60 * MINUTE);
    expect(sixty.maxAge(null)).toBeNull();
    expect(sixty.maxAge(5)).toBe(5);
  });

  it('keeps an idle session for idleTimeout, else the cookie lifetime, else the default', () => {
    expect(lifetime({ idleTimeoutMs: 5 * MINUTE, maxAge: 60 * MINUTE }).idleTtl(undefined)).toBe(5 * MINUTE);
    expect(lifetime({ maxAge: 60 * MINUTE }).idleTtl(undefined)).toBe(60 * MINUTE);
    expect(lifetime({ maxAge: 60 * MINUTE }).idleTtl(2 * MINUTE)).toBe(2 * MINUTE);
    expect(lifetime().idleTtl(undefined)).toBe(24 * 60 * MINUTE);
  });

  it('never lets the store lifetime pass the absolute deadline, and gives at least 1 ms', () => {
    const absolute = lifetime({ idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 60 * MINUTE });
    expect(absolute.absoluteDeadline(0, NOW)).toBe(NOW + 60 * MINUTE);
    expect(absolute.ttl(NOW, undefined, NOW)).toBe(30 * MINUTE);
    expect(absolute.ttl(NOW - 50 * MINUTE, undefined, NOW)).toBe(10 * MINUTE);
    expect(absolute.ttl(NOW - 90 * MINUTE, undefined, NOW)).toBe(1);
    expect(lifetime().absoluteDeadline(NOW, NOW)).toBe(Number.POSITIVE_INFINITY);
  });

  it('makes a touch due once touchAfter has passed since the last renewal, until the deadline', () => {
    const rules = lifetime({
      idleTimeoutMs: 30 * MINUTE,
      touchAfterMs: 10 * MINUTE,
      absoluteTimeoutMs: 60 * MINUTE,
    });
    const renewedAt = (ago: number) => NOW - ago + 30 * MINUTE;
    expect(rules.touchIsDue(NOW - 20 * MINUTE, renewedAt(9 * MINUTE), undefined, NOW)).toBe(false);
    expect(rules.touchIsDue(NOW - 20 * MINUTE, renewedAt(10 * MINUTE), undefined, NOW)).toBe(true);
    expect(rules.touchIsDue(NOW - 60 * MINUTE, renewedAt(20 * MINUTE), undefined, NOW)).toBe(false);
  });

  it('expires the cookie after its lifetime, at the absolute deadline at the latest, or never (null)', () => {
    expect(lifetime({ maxAge: 10 * MINUTE }).cookieExpiry(NOW, undefined, NOW)).toEqual(
      new Date(NOW + 10 * MINUTE),
    );
    const capped = lifetime({ maxAge: 10 * MINUTE, absoluteTimeoutMs: 60 * MINUTE });
    expect(capped.cookieExpiry(NOW - 55 * MINUTE, undefined, NOW)).toEqual(new Date(NOW + 5 * MINUTE));
    expect(lifetime().cookieExpiry(NOW, undefined, NOW)).toBeUndefined();
  });
});
