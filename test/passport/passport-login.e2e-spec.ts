import { afterEach, describe, expect, it } from '@jest/globals';
import { cookieValue, request, type Reply } from '../support/http.js';
import {
  passwordOf,
  startPassportApp,
  type PassportAppOptions,
  type PassportTestApp,
} from '../support/passport-app.js';

/** The session id inside a `sid=<id>.<signature>` cookie pair. */
const idOf = (pair: string | undefined): string => {
  const value = decodeURIComponent(cookieValue(pair));
  return value.slice(0, value.lastIndexOf('.'));
};

const login = (app: PassportTestApp, username: string, cookie?: string, password = passwordOf(username)) =>
  request(app.url, '/auth/login', { method: 'POST', body: { username, password }, cookie });

/** The three ways an app can put Passport behind `@nest-hive/session`. */
const SETUPS: Array<[string, PassportAppOptions]> = [
  [
    'eager: true, app.use(passport.session()) in main.ts, NestFactory.create()',
    { session: { eager: true }, mount: 'main' },
  ],
  [
    'eager: true, app.use(passport.session()) in main.ts, Test.createTestingModule()',
    { session: { eager: true }, mount: 'main', testingModule: true },
  ],
  [
    'eager: { forRoutes: [AuthController] }, passport.session() through a MiddlewareConsumer',
    { session: { eager: { forRoutes: ['auth/*path'] } }, mount: 'consumer' },
  ],
];

describe.each(SETUPS)('Passport login with %s', (_label, setup) => {
  let t: PassportTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const start = async (extra: Partial<PassportAppOptions> = {}) =>
    (t = await startPassportApp({ ...setup, ...extra }));

  it('logs in with a new session id; the old id loads nothing; /auth/me answers the user', async () => {
    const app = await start();
    const before = await request(app.url, '/free/note?v=hello');
    const oldId = idOf(before.sessionCookie);
    const reply = await login(app, 'ann', before.sessionCookie);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ user: { username: 'ann' } });
    expect(reply.sessionCookie).toBeDefined();
    const newId = idOf(reply.sessionCookie);
    expect(newId).not.toBe(oldId);
    expect(await app.store.inner.get(oldId)).toBeUndefined();
    expect((await app.store.inner.get(newId))?.data).toEqual({ passport: { user: 'ann' } });

    const me = await request(app.url, '/auth/me', { cookie: reply.sessionCookie });
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ user: { username: 'ann' } });
    expect(me.setCookies).toEqual([]);
    expect((await request(app.url, '/auth/me', { cookie: before.sessionCookie })).status).toBe(401);
    expect(app.logger.text()).not.toMatch(/error/i);
  });

  it('a failed login writes nothing and sets no cookie, with or without a session', async () => {
    const app = await start();
    for (const attempt of [
      { username: 'ann', password: 'wrong' },
      { username: 'ann' },
      { username: 'Not A Name', password: 'x' },
    ]) {
      const reply = await request(app.url, '/auth/login', { method: 'POST', body: attempt });
      expect(reply.status).toBe(401);
      expect(reply.setCookies).toEqual([]);
    }
    expect(app.store.total).toBe(0);

    const existing = await request(app.url, '/free/note?v=kept');
    app.store.reset();
    const failed = await login(app, 'ann', existing.sessionCookie, 'wrong');
    expect(failed.status).toBe(401);
    expect(failed.setCookies).toEqual([]);
    expect(app.store.calls).toEqual({ get: 1, set: 0, patch: 0, destroy: 0, touch: 0 });
    expect((await request(app.url, '/free/note', { cookie: existing.sessionCookie })).json).toEqual({
      note: 'kept',
    });
  });

  it('logout ends the login: the session id is regenerated, the old one destroyed, the cookie expired', async () => {
    const app = await start();
    const session = (await login(app, 'bob')).sessionCookie;
    const id = idOf(session);
    const logout = await request(app.url, '/auth/logout', { method: 'POST', cookie: session });
    expect(logout.status).toBe(200);
    expect(logout.json).toEqual({ ok: true });
    expect(logout.setCookies).toEqual([expect.stringMatching(/^sid=;.*Max-Age=0/)]);
    expect(await app.store.inner.get(id)).toBeUndefined();
    expect((await request(app.url, '/auth/me', { cookie: session })).status).toBe(401);
  });

  it.each([
    [false, null],
    [true, 'before-login'],
  ])('keepSessionInfo: %s: the data written before login is %s after it', async (keep, expected) => {
    const app = await start({ keepSessionInfo: keep });
    const before = await request(app.url, '/free/note?v=before-login');
    const reply = await login(app, 'cat', before.sessionCookie);
    expect(idOf(reply.sessionCookie)).not.toBe(idOf(before.sessionCookie));
    expect((await request(app.url, '/free/note', { cookie: reply.sessionCookie })).json).toEqual({
      note: expected,
    });
    // Logout regenerates too: req.logout({ keepSessionInfo }, cb) carries the data over once more.
    const logout = await request(app.url, `/auth/logout?keepSessionInfo=${keep ? 1 : 0}`, {
      method: 'POST',
      cookie: reply.sessionCookie,
    });
    expect(logout.status).toBe(200);
    expect(logout.sessionCookie).not.toBe(reply.sessionCookie);
    const after = keep ? logout.sessionCookie : undefined;
    if (keep) expect(idOf(after)).not.toBe(idOf(reply.sessionCookie));
    else expect(logout.setCookies).toEqual([expect.stringMatching(/^sid=;.*Max-Age=0/)]);
    expect((await request(app.url, '/free/note', { cookie: after })).json).toEqual({ note: expected });
    expect((await request(app.url, '/auth/me', { cookie: after })).status).toBe(401);
    expect((await request(app.url, '/auth/me', { cookie: reply.sessionCookie })).status).toBe(401);
  });

  it('20 concurrent logins each get their own session and user', async () => {
    const app = await start();
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const replies: Reply[] = await Promise.all(users.map((user) => login(app, user)));
    const cookies = replies.map((reply) => {
      expect(reply.status).toBe(200);
      return reply.sessionCookie;
    });
    expect(new Set(cookies.map(idOf)).size).toBe(users.length);
    const mes = await Promise.all(cookies.map((cookie) => request(app.url, '/auth/me', { cookie })));
    expect(mes.map((me) => me.json)).toEqual(users.map((username) => ({ user: { username } })));
  });

  it('puts req.session on the request before guards and middleware, with the stored data', async () => {
    const app = await start();
    const session = (await login(app, 'dan')).sessionCookie;
    expect((await request(app.url, '/auth/session', { cookie: session })).json).toEqual({
      loaded: true,
      data: { passport: { user: 'dan' } },
    });
  });

  it('answers 503 on the Passport routes while the store fails, and recovers', async () => {
    const app = await start();
    const session = (await login(app, 'eve')).sessionCookie;
    app.store.failure = new Error('store down for the test');
    const down = await request(app.url, '/auth/me', { cookie: session });
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ statusCode: 503, message: expect.stringContaining('Session store') });
    expect(app.logger.text()).toContain('store down for the test');
    app.store.failure = undefined;
    expect((await request(app.url, '/auth/me', { cookie: session })).json).toEqual({
      user: { username: 'eve' },
    });
  });
});

describe('Passport without eager', () => {
  it('app.use(passport.session()) fails every request with the message docs/sessions/passport.md names', async () => {
    const app = await startPassportApp({ mount: 'main' });
    try {
      const reply = await request(app.url, '/free/ping');
      expect(reply.status).toBe(500);
      expect(app.logger.text()).toContain('Login sessions require session support');
    } finally {
      await app.close();
    }
  });
});

describe('Passport on chosen eager routes', () => {
  let t: PassportTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a route outside the eager set makes no store call and loads no session, cookie or not', async () => {
    t = await startPassportApp({ session: { eager: { forRoutes: ['auth/*path'] } }, mount: 'consumer' });
    const session = (await login(t, 'fay')).sessionCookie;
    t.store.reset();
    for (const cookie of [undefined, session]) {
      const reply = await request(t.url, '/free/ping', { cookie });
      expect(reply.json).toEqual({ ok: true, loaded: false });
      expect(reply.setCookies).toEqual([]);
    }
    expect(t.store.total).toBe(0);
    // …while the eager route reads it.
    await request(t.url, '/auth/me', { cookie: session });
    expect(t.store.calls.get).toBe(1);
  });

  it('routes excluded from the eager set stay lazy', async () => {
    t = await startPassportApp({
      session: { eager: { forRoutes: ['*path'], exclude: ['free/*path'] } },
      mount: 'consumer',
    });
    const session = (await login(t, 'gus')).sessionCookie;
    expect((await request(t.url, '/auth/me', { cookie: session })).json).toEqual({
      user: { username: 'gus' },
    });
    t.store.reset();
    expect((await request(t.url, '/free/ping', { cookie: session })).json).toEqual({
      ok: true,
      loaded: false,
    });
    expect(t.store.total).toBe(0);
  });
});
