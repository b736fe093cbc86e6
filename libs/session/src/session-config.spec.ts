import { describe, expect, it } from '@jest/globals';
import { resolveSessionConfig } from './session-config.js';
import { InvalidSessionOptionsError } from './session.errors.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';

describe('resolveSessionConfig', () => {
  it('applies the documented defaults', () => {
    const config = resolveSessionConfig({ secret: SECRET });
    expect(config.cookie).toEqual({
      name: 'sid',
      path: '/',
      domain: undefined,
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: null,
      partitioned: false,
      priority: undefined,
      format: 'nest-hive',
    });
    expect(config.eager).toEqual({ kind: 'off' });
    expect(config.rolling).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.touchAfterMs).toBe(60_000);
    expect(config.idleTimeoutMs).toBeUndefined();
    expect(config.absoluteTimeoutMs).toBeUndefined();
    expect(config.maxSessionBytes).toBe(128 * 1024);
    expect(config.secrets).toEqual([SECRET]);
  });

  it('caps touchAfter at half the idle lifetime', () => {
    expect(resolveSessionConfig({ secret: SECRET, idleTimeout: 10_000 }).touchAfterMs).toBe(5_000);
    expect(resolveSessionConfig({ secret: SECRET, cookie: { maxAge: 4_000 } }).touchAfterMs).toBe(2_000);
  });

  it.each([
    [{ idleTimeout: -1 }, 'idleTimeout'],
    [{ absoluteTimeout: 0 }, 'absoluteTimeout'],
    [{ touchAfter: 1.5 }, 'touchAfter'],
    [{ cookie: { maxAge: Number.NaN } }, 'cookie.maxAge'],
    [{ maxSessionBytes: 0 }, 'maxSessionBytes'],
    [{ cookie: { sameSite: 'sometimes' as 'lax' } }, 'cookie.sameSite'],
    [{ cookie: { format: 'connect' as 'nest-hive' } }, 'cookie.format'],
    [{ eager: 'yes' as unknown as boolean }, 'eager'],
    [{ eager: { forRoutes: [] } }, 'eager.forRoutes'],
    [{ eager: { forRoutes: ['auth/*path'], exclude: 'auth/ping' as unknown as string[] } }, 'eager.exclude'],
  ])('refuses %j naming %s', (extra, option) => {
    expect(() => resolveSessionConfig({ secret: SECRET, ...extra })).toThrow(InvalidSessionOptionsError);
    expect(() => resolveSessionConfig({ secret: SECRET, ...extra })).toThrow(`\`${option}\``);
  });

  it.each([
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    'abababababababababababababababababab',
    'changeme-changeme-changeme-changeme!',
    'your-secret-here-0123456789-abcdefgh',
    '0123456789012345678901234567890123456789',
  ])('refuses the weak secret %s', (secret) => {
    expect(() => resolveSessionConfig({ secret })).toThrow(/`secret`/);
  });

  it('resolves eager loading: off, every route, or chosen routes', () => {
    expect(resolveSessionConfig({ secret: SECRET, eager: false }).eager).toEqual({ kind: 'off' });
    expect(resolveSessionConfig({ secret: SECRET, eager: true }).eager).toEqual({ kind: 'all' });
    const routes = { forRoutes: ['auth/*path'], exclude: ['auth/ping'] };
    expect(resolveSessionConfig({ secret: SECRET, eager: routes }).eager).toEqual({ kind: 'routes', routes });
  });

  it('accepts a random secret and keeps the rotation order', () => {
    const other = 'Zp4Lw8Nq2Vx6Br0Ts5Yk9Hm3Jd7Fc1Ga-_Ue8Qi4Oy6Mx2Ce';
    expect(resolveSessionConfig({ secret: [other, SECRET] }).secrets).toEqual([other, SECRET]);
  });

  it('never puts the secret in its error messages', () => {
    const weak = 'abcdefghabcdefghabcdefghabcdefgh';
    try {
      resolveSessionConfig({ secret: weak });
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as Error).message).not.toContain(weak);
    }
  });
});
