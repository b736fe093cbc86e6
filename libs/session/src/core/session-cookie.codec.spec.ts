import { describe, expect, it } from '@jest/globals';
import { stringifySetCookie } from 'cookie';
import { sign } from 'cookie-signature';
import { resolveSessionConfig } from '../session-config.js';
import { SessionCookieCodec } from './session-cookie.codec.js';

const SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const ID = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

function codec(options: Parameters<typeof resolveSessionConfig>[0] = { secret: SECRET }): SessionCookieCodec {
  const config = resolveSessionConfig(options);
  return new SessionCookieCodec(config.cookie, config.secrets);
}

describe('SessionCookieCodec', () => {
  it.each([
    [{ secret: SECRET }, false, undefined],
    [{ secret: SECRET }, true, new Date(Date.now() + 3_600_000)],
    [
      {
        secret: SECRET,
        name: '__Host-app',
        cookie: { domain: 'example.com', partitioned: true, priority: 'low', sameSite: 'strict' },
      },
      true,
      new Date(Date.now() + 5_000),
    ],
    [
      {
        secret: SECRET,
        cookie: { path: '/app', httpOnly: false, sameSite: false, format: 'express-session' },
      },
      false,
      new Date(Date.now() + 90_000),
    ],
  ] as const)(
    'writes exactly what cookie.stringifySetCookie writes (%j, secure %s)',
    (options, secure, expires) => {
      const config = resolveSessionConfig(options);
      const c = new SessionCookieCodec(config.cookie, config.secrets);
      const header = c.write(ID, { secure, expires });
      const s = config.cookie;
      const value = decodeURIComponent(header.slice(header.indexOf('=') + 1, header.indexOf(';')));
      expect(header).toBe(
        stringifySetCookie(s.name, value, {
          path: s.path,
          domain: s.domain,
          httpOnly: s.httpOnly,
          sameSite: s.sameSite,
          secure,
          partitioned: s.partitioned && secure,
          priority: s.priority,
          expires,
          maxAge: expires ? Math.max(0, Math.round((expires.getTime() - Date.now()) / 1000)) : undefined,
        }),
      );
    },
  );

  it('round-trips an id through Set-Cookie and Cookie', () => {
    const c = codec();
    const header = c.write(ID, { secure: false, expires: undefined });
    const pair = header.split(';')[0];
    expect(c.read(pair)).toEqual({ kind: 'valid', id: ID });
    expect(c.read(`theme=dark; ${pair}; lang=en`)).toEqual({ kind: 'valid', id: ID });
  });

  it('writes the default attributes: Path=/, HttpOnly, SameSite=Lax, no Secure', () => {
    const header = codec().write(ID, { secure: false, expires: undefined });
    expect(header).toMatch(/; Path=\//);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).not.toMatch(/Secure|Expires|Max-Age|Partitioned/);
  });

  it('writes domain, secure, partitioned, priority and expiry when configured', () => {
    const c = codec({
      secret: SECRET,
      name: '__Host-app',
      cookie: { domain: 'example.com', partitioned: true, priority: 'high', sameSite: 'none' },
    });
    const expires = new Date(Date.now() + 60_000);
    const header = c.write(ID, { secure: true, expires });
    expect(header).toMatch(/^__Host-app=/);
    expect(header).toMatch(/; Domain=example.com/);
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/; Partitioned/);
    expect(header).toMatch(/; Priority=High/);
    expect(header).toMatch(/; SameSite=None/);
    expect(header).toMatch(/; Max-Age=60/);
    expect(header).toContain(`Expires=${expires.toUTCString()}`);
  });

  it('clears the cookie with Max-Age=0 and an epoch Expires', () => {
    const header = codec().clear(false);
    expect(header).toMatch(/^sid=;/);
    expect(header).toMatch(/Max-Age=0/);
    expect(header).toMatch(/Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
  });

  it.each([
    ['absent header', undefined, 'absent'],
    ['no cookie of ours', 'other=1; sidx=2', 'absent'],
    ['duplicate', 'sid=a.b; sid=a.b', 'duplicate'],
    ['duplicate with spaces', 'sid=a.b;   sid =c.d', 'duplicate'],
    ['unsigned', `sid=${ID}`, 'unsigned'],
    ['bad signature', `sid=${ID}.AAAA`, 'bad-signature'],
    ['oversized', `sid=${'x'.repeat(300)}.y`, 'oversized'],
    ['empty', 'sid=', 'malformed'],
  ])('reads %s as %s', (_label, header, kind) => {
    const reading = codec().read(header);
    expect(reading.kind === 'rejected' ? reading.reason : reading.kind).toBe(kind);
  });

  it('rejects a validly signed value that is not a session id', () => {
    const c = codec();
    const header = c.write('short', { secure: false, expires: undefined }).split(';')[0];
    expect(c.read(header)).toEqual({ kind: 'rejected', reason: 'malformed' });
  });

  describe("format: 'express-session'", () => {
    const OLD = 'Zp4Lw8Nq2Vx6Br0Ts5Yk9Hm3Jd7Fc1Ga-_Ue8Qi4Oy6Mx2Ce';
    const express = () =>
      codec({ secret: [SECRET, OLD], name: 'connect.sid', cookie: { format: 'express-session' } });
    /** The cookie pair express-session sets: `s:` + cookie-signature's value, percent-encoded by `cookie`. */
    const expressPair = (secret: string) => `connect.sid=${encodeURIComponent(`s:${sign(ID, secret)}`)}`;

    it('writes exactly the value express-session writes, signed with the first secret', () => {
      const header = express().write(ID, { secure: false, expires: undefined });
      expect(header.split(';')[0]).toBe(expressPair(SECRET));
      expect(header.split(';')[0]).toMatch(/^connect\.sid=s%3A/);
    });

    it('reads express-session cookies signed with any listed secret, and no other', () => {
      expect(express().read(expressPair(SECRET))).toEqual({ kind: 'valid', id: ID });
      expect(express().read(expressPair(OLD))).toEqual({ kind: 'valid', id: ID });
      const unknown = 'Nq5Bz1Xw8Kl3Mv6Rc0Tp4Jh9Gd2Fs7Ya-_Ie5Uo1Oa8Qw3Le';
      expect(express().read(expressPair(unknown))).toEqual({ kind: 'rejected', reason: 'bad-signature' });
    });

    it('refuses the other format, either way round', () => {
      const ours = codec({ secret: SECRET, name: 'connect.sid' });
      const oursPair = ours.write(ID, { secure: false, expires: undefined }).split(';')[0];
      expect(express().read(oursPair)).toEqual({ kind: 'rejected', reason: 'unsigned' });
      expect(ours.read(expressPair(SECRET)).kind).toBe('rejected');
      expect(express().read(`connect.sid=${encodeURIComponent(`s:${ID}`)}`)).toEqual({
        kind: 'rejected',
        reason: 'unsigned',
      });
    });
  });

  it('answers a repeated header from memory, and still verifies every other header in full', () => {
    const c = codec();
    const header = `theme=dark; sid=${encodeURIComponent(sign(ID, SECRET))}; lang=en`;
    expect(c.read(header)).toEqual({ kind: 'valid', id: ID });
    expect(c.read(header)).toEqual({ kind: 'valid', id: ID });
    // One character of the signature changed, the rest of the header the same: a header of its own.
    const forged = header.replace(/\.(.)/, (_m, ch: string) => `.${ch === 'A' ? 'B' : 'A'}`);
    expect(c.read(forged)).toEqual({ kind: 'rejected', reason: 'bad-signature' });
    expect(c.read(`${header}; sid=other`)).toEqual({ kind: 'rejected', reason: 'duplicate' });
    expect(c.read(header)).toEqual({ kind: 'valid', id: ID });
  });
});
