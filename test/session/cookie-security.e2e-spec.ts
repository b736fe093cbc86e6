import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import { CountingStore } from '../support/counting-store.js';
import { cookieValue, request } from '../support/http.js';
import { OTHER_SECRET, startSessionApp, TEST_SECRET, type SessionTestApp } from '../support/session-app.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';

describe.each(HTTP_ADAPTERS)('cookie verification (%s)', (adapter) => {
  let t: SessionTestApp;
  let valid: string;
  let validId: string;
  beforeAll(async () => {
    t = await startSessionApp({ adapter });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.clear();
    const reply = await request(t.url, '/probe/write?k=user&v=ann');
    valid = reply.sessionCookie as string;
    validId = (reply.json as { id: string }).id;
    t.store.reset();
  });

  const rejected: Array<[string, () => string]> = [
    ['a bad signature', () => `sid=${validId}.${'A'.repeat(43)}`],
    [
      'a tampered id under a real signature',
      // Another first character (an id starting with X would otherwise stay the same, 1 run in 64).
      () => `sid=${validId.startsWith('X') ? 'Y' : 'X'}${cookieValue(valid).slice(1)}`,
    ],
    ['an unsigned cookie', () => `sid=${validId}`],
    [
      'a cookie signed with an unknown secret',
      () => `sid=${encodeURIComponent(sign(validId, OTHER_SECRET))}`,
    ],
    ['a malformed cookie', () => 'sid=%E0%A4%A'],
    ['an empty cookie', () => 'sid='],
    ['an oversized cookie', () => `sid=${'a'.repeat(4000)}.${'b'.repeat(43)}`],
    ['several cookies of the same name', () => `${valid}; sid=${cookieValue(valid)}`],
    ['a valid cookie followed by a forged twin', () => `${valid}; sid=forged.sig`],
  ];

  it.each(rejected)(
    '9. %s is rejected without a store call and gets a fresh lazy session',
    async (_label, cookie) => {
      const reply = await request(t.url, '/probe/read', { cookie: cookie() });
      expect(reply.status).toBe(200);
      const body = reply.json as { id: string; isNew: boolean; data: Record<string, unknown> };
      expect(body.isNew).toBe(true);
      expect(body.id).not.toBe(validId);
      expect(body.data).toEqual({});
      expect(reply.setCookies).toEqual([]);
      expect(t.store.calls.get).toBe(0);
    },
  );

  it('9. a correctly signed id that the store does not hold is never adopted (session fixation)', async () => {
    const attackerId = 'attacker-chosen-id-0123456789';
    const cookie = `sid=${encodeURIComponent(sign(attackerId, TEST_SECRET))}`;
    const reply = await request(t.url, '/probe/write?k=user&v=victim', { cookie });
    const body = reply.json as { id: string; isNew: boolean };
    expect(t.store.calls.get).toBe(1);
    expect(body.id).not.toBe(attackerId);
    expect(cookieValue(reply.sessionCookie)).not.toContain(attackerId);
    expect(await t.store.inner.get(attackerId)).toBeUndefined();
  });

  it('9. the cookie is signed with HMAC-SHA256 of the id under the first secret', async () => {
    const value = decodeURIComponent(cookieValue(valid));
    const expected = createHmac('sha256', TEST_SECRET).update(validId).digest('base64').replace(/=+$/, '');
    expect(value).toBe(`${validId}.${expected}`);
  });

  it('9. other cookies in the header do not disturb reading ours', async () => {
    const reply = await request(t.url, '/probe/read', { cookie: `a=1; sidx=2; ${valid}; xsid=3` });
    expect(reply.json).toMatchObject({ id: validId, data: { user: 'ann' } });
  });
});

describe.each(HTTP_ADAPTERS)('secret rotation (%s)', (adapter) => {
  const store = new CountingStore();
  let oldApp: SessionTestApp | undefined;
  let rotated: SessionTestApp | undefined;
  afterEach(async () => {
    await oldApp?.close();
    await rotated?.close();
    oldApp = rotated = undefined;
  });

  it('10. a cookie signed with any configured secret verifies; a rewrite re-signs with the first', async () => {
    oldApp = await startSessionApp({ adapter, store, session: { secret: OTHER_SECRET } });
    const issued = await request(oldApp.url, '/probe/write?k=user&v=ann');
    const id = (issued.json as { id: string }).id;
    await oldApp.close();
    oldApp = undefined;

    rotated = await startSessionApp({ adapter, store, session: { secret: [TEST_SECRET, OTHER_SECRET] } });
    const read = await request(rotated.url, '/probe/read', { cookie: issued.sessionCookie });
    expect(read.json).toMatchObject({ id, isNew: false, data: { user: 'ann' } });

    const rewrite = await request(rotated.url, '/probe/max-age?ms=60000', { cookie: issued.sessionCookie });
    expect(decodeURIComponent(cookieValue(rewrite.sessionCookie))).toBe(sign(id, TEST_SECRET));
    await rotated.close();

    rotated = await startSessionApp({ adapter, store, session: { secret: [TEST_SECRET] } });
    const afterRemoval = await request(rotated.url, '/probe/read', { cookie: issued.sessionCookie });
    expect(afterRemoval.json).toMatchObject({ isNew: true, data: {} });
    const resigned = await request(rotated.url, '/probe/read', { cookie: rewrite.sessionCookie });
    expect(resigned.json).toMatchObject({ id, data: { user: 'ann' } });
  });
});

describe.each(HTTP_ADAPTERS)("secure: 'auto' and trustProxy (%s)", (adapter) => {
  let apps: SessionTestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
  });
  async function start(session: Parameters<typeof startSessionApp>[0]): Promise<SessionTestApp> {
    const app = await startSessionApp({ adapter, ...session });
    apps.push(app);
    return app;
  }
  const isSecure = (setCookie: string | undefined): boolean => /;\s*Secure/i.test(setCookie ?? '');

  it('15. X-Forwarded-Proto: https is ignored without trustProxy', async () => {
    const t = await start({});
    const reply = await request(t.url, '/probe/visit', { headers: { 'x-forwarded-proto': 'https' } });
    expect(reply.setCookies).toHaveLength(1);
    expect(isSecure(reply.setCookies[0])).toBe(false);
  });

  it('15. X-Forwarded-Proto: https is honoured with trustProxy', async () => {
    const t = await start({ session: { trustProxy: true } });
    const secure = await request(t.url, '/probe/visit', { headers: { 'x-forwarded-proto': 'https, http' } });
    expect(isSecure(secure.setCookies[0])).toBe(true);
    const plain = await request(t.url, '/probe/visit', { headers: { 'x-forwarded-proto': 'http' } });
    expect(isSecure(plain.setCookies[0])).toBe(false);
  });

  it('15. a secure cookie over plain HTTP is not sent, and a warning is logged once', async () => {
    const t = await start({ session: { cookie: { secure: true } } });
    const first = await request(t.url, '/probe/visit');
    const second = await request(t.url, '/probe/visit');
    expect(first.setCookies).toEqual([]);
    expect(second.setCookies).toEqual([]);
    const warnings = t.logger.lines.filter((l) => l.level === 'warn' && l.message.includes('secure: true'));
    expect(warnings).toHaveLength(1);
  });
});
