import { afterEach, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  getSessionStoreToken,
  InvalidSessionOptionsError,
  SessionModule,
  type SessionStore,
} from '@nest-hive/session';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import { sign } from 'cookie-signature';
import session from 'express-session';
import { cookieValue, request } from '../support/http.js';
import { FaultyExpressStore, type StoreFault } from '../support/faulty-express-store.js';
import { ProbeController } from '../support/probe.controller.js';
import {
  CapturingLogger,
  startSessionApp,
  TEST_SECRET,
  type SessionTestApp,
} from '../support/session-app.js';

const TIMEOUT_MS = 200;

/** The session id inside a `sid=<id>.<signature>` cookie pair. */
const idOf = (pair: string | undefined): string => {
  const value = decodeURIComponent(cookieValue(pair));
  return value.slice(value.startsWith('s:') ? 2 : 0, value.lastIndexOf('.'));
};

/** What express-session's MemoryStore holds for `id`, parsed (it keeps JSON text). */
function stored(store: FaultyExpressStore, id: string): unknown {
  const sessions = (store.inner as unknown as { sessions: Record<string, string> }).sessions;
  const text = sessions[id];
  return text === undefined ? undefined : JSON.parse(text);
}

/** express-session's own reading of a stored session (`Store#load` → `createSession`). */
function loadWithExpressSession(store: FaultyExpressStore, id: string): Promise<session.Session> {
  return new Promise((resolve, reject) =>
    store.inner.load(id, (error, loaded: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else if (loaded instanceof session.Session) resolve(loaded);
      else reject(new Error(`express-session loaded no Session for ${id}`));
    }),
  );
}

describe('fromExpressSessionStore() over express-session’s real MemoryStore', () => {
  let t: SessionTestApp | undefined;
  let store: FaultyExpressStore;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  async function start(extra: Record<string, unknown> = {}): Promise<SessionTestApp> {
    store = new FaultyExpressStore();
    process.on('unhandledRejection', onUnhandled);
    t = await startSessionApp({
      session: { store: fromExpressSessionStore(store, { timeoutMs: TIMEOUT_MS }), ...extra },
    });
    return t;
  }
  afterEach(async () => {
    await t?.close();
    t = undefined;
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('writes express-session-shaped records, with the TTL as cookie.expires, that express-session reads back', async () => {
    const app = await start({ idleTimeout: 60_000 });
    const before = Date.now();
    const reply = await request(app.url, '/probe/cart-push?item=apple');
    const id = idOf(reply.sessionCookie);
    const record = stored(store, id) as { cookie: { expires: string } };
    expect(record).toEqual({
      cookie: {
        originalMaxAge: null,
        expires: expect.any(String),
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
      },
      cart: { items: ['apple'] },
      '@nest-hive/session': { createdAt: expect.any(Number) },
    });
    const expires = Date.parse(record.cookie.expires);
    expect(expires).toBeGreaterThanOrEqual(before + 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60_000);

    const loaded = await loadWithExpressSession(store, id);
    expect(loaded.id).toBe(id);
    expect({ ...loaded }).toMatchObject({ cart: { items: ['apple'] } });
    // A browser-session cookie stays one when express-session sends it again.
    loaded.touch();
    expect(loaded.cookie.expires).toBeNull();
  });

  it('reads what express-session wrote, under express-session’s signed cookie', async () => {
    const app = await start({ name: 'connect.sid', cookie: { format: 'express-session' } });
    const id = 'ExpressSessionWrote-0123456789ab';
    // As express-session stores a session with `cookie: { maxAge: 120000 }` (Cookie#toJSON()).
    const written = {
      cookie: { originalMaxAge: 120_000, expires: new Date(Date.now() + 120_000), httpOnly: true, path: '/' },
      user: 'ann',
    };
    await new Promise<void>((resolve, reject) =>
      store.inner.set(id, written, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error('set failed')) : resolve(),
      ),
    );
    const pair = `connect.sid=${encodeURIComponent(`s:${sign(id, TEST_SECRET)}`)}`;
    const reply = await request(app.url, '/probe/read', { cookie: pair, cookieName: 'connect.sid' });
    expect(reply.json).toEqual({ id, isNew: false, data: { user: 'ann' } });
    // The stored maxAge differs from the module's (none): it is this session's own.
    const visit = await request(app.url, '/probe/visit', { cookie: pair, cookieName: 'connect.sid' });
    expect(visit.json).toMatchObject({ id, data: { user: 'ann', visits: 1 } });
    expect(stored(store, id)).toMatchObject({ cookie: { originalMaxAge: 120_000 }, user: 'ann', visits: 1 });
  });

  it('destroys on regenerate, touches through the store’s touch, and offers its length and clear', async () => {
    const app = await start({ touchAfter: 0 });
    const first = await request(app.url, '/probe/visit');
    const id = idOf(first.sessionCookie);
    store.calls.touch = 0;
    await request(app.url, '/probe/read', { cookie: first.sessionCookie });
    expect(store.calls.touch).toBe(1);
    const regenerated = await request(app.url, '/probe/regenerate', { cookie: first.sessionCookie });
    expect(stored(store, id)).toBeUndefined();
    expect(stored(store, idOf(regenerated.sessionCookie))).toMatchObject({ regenerated: true });

    const adapter = app.app.get<SessionStore>(getSessionStoreToken());
    expect(await adapter.length?.()).toBe(1);
    await adapter.clear?.();
    expect(await adapter.length?.()).toBe(0);
  });

  it('lacks length and clear when the store has neither', () => {
    const bare = { get: () => undefined, set: () => undefined, destroy: () => undefined };
    const adapter = fromExpressSessionStore(bare);
    expect(adapter.length).toBeUndefined();
    expect(adapter.clear).toBeUndefined();
  });

  const FAULTS: Array<[StoreFault, 'get' | 'set', string]> = [
    ['throw', 'get', 'threw'],
    ['error', 'get', 'get failed for the test'],
    ['twice-at-once', 'get', 'called back more than once'],
    ['reject', 'get', 'get rejected for the test'],
    ['garbage', 'get', 'instead of a session object'],
    ['throw', 'set', 'threw'],
    ['error', 'set', 'set failed for the test'],
    ['twice-at-once', 'set', 'called back more than once'],
  ];

  it.each(FAULTS)(
    'a store whose %s() misbehaves (%s) fails that request with 503, logged; the app goes on',
    async (fault, method, logged) => {
      const app = await start();
      const cookie = (await request(app.url, '/probe/visit')).sessionCookie;
      store.faults[method] = fault;
      const reply =
        method === 'get'
          ? await request(app.url, '/probe/read', { cookie })
          : await request(app.url, '/probe/visit');
      expect(reply.status).toBe(503);
      expect(reply.json).toMatchObject({
        statusCode: 503,
        message: expect.stringContaining('Session store'),
      });
      expect(reply.setCookies).toEqual([]);
      expect(app.logger.text()).toContain(logged);
      expect((await request(app.url, '/probe/none', { cookie })).status).toBe(200);
      store.heal();
      expect((await request(app.url, '/probe/read', { cookie })).json).toMatchObject({ data: { visits: 1 } });
    },
  );

  it('a store that never calls back gives a 503 after timeoutMs, and its late answer is ignored', async () => {
    const app = await start();
    const cookie = (await request(app.url, '/probe/visit')).sessionCookie;
    store.faults.get = 'late';
    store.lateMs = TIMEOUT_MS + 300;
    const started = Date.now();
    const reply = await request(app.url, '/probe/read', { cookie });
    const elapsed = Date.now() - started;
    expect(reply.status).toBe(503);
    // The timeout fired, not earlier; the upper bound only says it did not wait for the store (300 ms later).
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(app.logger.text()).toContain(`did not call back from get() within ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(app.logger.text()).toContain('answered after the timeout; that answer was ignored');

    store.heal();
    store.faults.set = 'never';
    const write = await request(app.url, '/probe/visit');
    expect(write.status).toBe(503);
    expect(write.setCookies).toEqual([]);
    store.heal();
    expect((await request(app.url, '/probe/read', { cookie })).json).toMatchObject({ data: { visits: 1 } });
  });

  it('a second answer after the first was used is ignored and logged; the request succeeds', async () => {
    const app = await start();
    store.faults.set = 'twice-later';
    const reply = await request(app.url, '/probe/visit');
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(app.logger.text()).toContain('set() called back again after its answer was used');
    store.heal();
    expect((await request(app.url, '/probe/read', { cookie: reply.sessionCookie })).json).toMatchObject({
      data: { visits: 1 },
    });
  });
});

describe('an express-session store passed directly as `store`', () => {
  it.each([
    ['express-session’s MemoryStore', () => new session.MemoryStore()],
    ['a Store subclass', () => new FaultyExpressStore()],
  ])(
    '%s fails start-up with InvalidSessionOptionsError naming fromExpressSessionStore',
    async (_name, make) => {
      const logger = new CapturingLogger();
      @Module({
        imports: [SessionModule.forRoot({ secret: TEST_SECRET, store: make() as unknown as SessionStore })],
        controllers: [ProbeController],
      })
      class DirectStoreModule {}
      const failure = await NestFactory.create(DirectStoreModule, { logger, abortOnError: false }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(InvalidSessionOptionsError);
      expect((failure as InvalidSessionOptionsError).option).toBe('store');
      expect((failure as Error).message).toContain('fromExpressSessionStore');
    },
  );

  it('fromExpressSessionStore() refuses an object without get/set/destroy', () => {
    expect(() => fromExpressSessionStore({ get: () => undefined } as never)).toThrow(/set\(\), destroy\(\)/);
  });
});
