import { describe, expect, it } from '@jest/globals';
import { resolveSessionConfig } from '../session-config.js';
import { ExpressSessionStoreContractError } from './express-session-store.errors.js';
import { fromExpressSession, NEST_HIVE_RECORD_KEY, toExpressSession } from './express-session-record.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const settings = resolveSessionConfig({
  secret: SECRET,
  cookie: { maxAge: 60_000, domain: 'example.com', sameSite: 'strict', secure: 'auto' },
}).cookie;

describe('toExpressSession / fromExpressSession', () => {
  it('writes express-session’s shape with the TTL as cookie.expires and the module’s attributes', () => {
    const before = Date.now();
    const shaped = toExpressSession({ data: { user: 'ann' }, createdAt: 1_000 }, 120_000, settings);
    expect(shaped).toEqual({
      cookie: {
        originalMaxAge: 60_000,
        expires: expect.any(Date),
        path: '/',
        httpOnly: true,
        secure: true,
        domain: 'example.com',
        sameSite: 'strict',
      },
      user: 'ann',
      [NEST_HIVE_RECORD_KEY]: { createdAt: 1_000 },
    });
    expect(shaped.cookie.expires!.getTime()).toBeGreaterThanOrEqual(before + 120_000);
  });

  it('reads back what it wrote, through JSON as stores keep it', () => {
    const stored: unknown = JSON.parse(
      JSON.stringify(
        toExpressSession({ data: { n: 1 }, createdAt: 5, cookie: { maxAge: 10 } }, 60_000, settings),
      ),
    );
    const record = fromExpressSession(stored, settings);
    expect(record).toMatchObject({ data: { n: 1 }, createdAt: 5, cookie: { maxAge: 10 } });
    expect(record!.expiresAt).toBeGreaterThan(Date.now() + 55_000);
  });

  it('reads what express-session wrote: no creation time, its own lifetime only when it differs', () => {
    const now = Date.now();
    const written = {
      cookie: {
        originalMaxAge: 60_000,
        expires: new Date(now + 60_000).toISOString(),
        httpOnly: true,
        path: '/',
      },
      passport: { user: 'ann' },
    };
    const record = fromExpressSession(written, settings)!;
    expect(record.data).toEqual({ passport: { user: 'ann' } });
    expect(record.cookie).toBeUndefined();
    expect(record.createdAt).toBeGreaterThanOrEqual(now);
    const own = fromExpressSession(
      { ...written, cookie: { ...written.cookie, originalMaxAge: 5_000 } },
      settings,
    );
    expect(own?.cookie).toEqual({ maxAge: 5_000 });
  });

  it('never reports a record the store still holds as expired (no or stale cookie.expires)', () => {
    for (const expires of [null, undefined, new Date(Date.now() - 60_000).toISOString(), 'not a date']) {
      const record = fromExpressSession({ cookie: { originalMaxAge: null, expires }, a: 1 }, settings)!;
      expect(record.expiresAt).toBeGreaterThan(Date.now());
    }
  });

  it('keeps __proto__ a plain data key', () => {
    const record = fromExpressSession(JSON.parse('{"cookie":{},"__proto__":{"polluted":true}}'), settings)!;
    expect(Object.getPrototypeOf(record.data)).toBeNull();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it.each([['a string'], [[1, 2]], [42]])('refuses %j as a session', (answer) => {
    expect(() => fromExpressSession(answer, settings)).toThrow(ExpressSessionStoreContractError);
  });

  it('refuses a cookie that is not an object, and reads a missing one', () => {
    expect(() => fromExpressSession({ cookie: 'x' }, settings)).toThrow(/cookie is a string/);
    expect(fromExpressSession({ a: 1 }, settings)?.data).toEqual({ a: 1 });
    expect(fromExpressSession(null, settings)).toBeUndefined();
  });

  it('refuses data under its own key rather than overwriting it', () => {
    expect(() =>
      toExpressSession({ data: { [NEST_HIVE_RECORD_KEY]: 1 }, createdAt: 1 }, 1_000, settings),
    ).toThrow(/reserved by fromExpressSessionStore/);
  });
});
