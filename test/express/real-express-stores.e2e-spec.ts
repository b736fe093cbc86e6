import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  getSessionStoreToken,
  InvalidSessionOptionsError,
  SessionModule,
  type SessionModuleOptions,
  type SessionStore,
} from '@nest-hive/session';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import session from 'express-session';
import { connectRedisStore, pgSimpleStore, type RealExpressStore } from '../support/express-stores.js';
import { cookieValue, request } from '../support/http.js';
import { postgresReachable } from '../support/postgres.js';
import { ProbeController } from '../support/probe.controller.js';
import { OwnRedisServer, redisReachable } from '../support/redis.js';
import {
  CapturingLogger,
  startSessionApp,
  TEST_SECRET,
  type SessionTestApp,
} from '../support/session-app.js';

const redisUp = await redisReachable();
const postgresUp = await postgresReachable();

const idOf = (pair: string | undefined): string => {
  const value = decodeURIComponent(cookieValue(pair));
  return value.slice(0, value.lastIndexOf('.'));
};

/** express-session's own reading of a stored session (`Store#load` → `createSession`). */
function loadWithExpressSession(store: session.Store, id: string): Promise<session.Session> {
  return new Promise((resolve, reject) =>
    store.load(id, (error, loaded: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error('load failed'));
      else if (loaded instanceof session.Session) resolve(loaded);
      else reject(new Error(`express-session loaded no Session for ${id}`));
    }),
  );
}

const STORES: Array<[string, boolean, () => Promise<RealExpressStore>]> = [
  ['connect-redis 9 on the real Redis', redisUp, () => connectRedisStore()],
  ['connect-pg-simple 10 on the real PostgreSQL', postgresUp, () => pgSimpleStore()],
];

describe.each(STORES)('fromExpressSessionStore(%s)', (_name, available, make) => {
  const describeIf = available ? describe : describe.skip;
  describeIf('through a Nest app', () => {
    let backend: RealExpressStore | undefined;
    let t: SessionTestApp | undefined;
    async function start(session: Partial<SessionModuleOptions> = {}): Promise<SessionTestApp> {
      backend = await make();
      t = await startSessionApp({
        session: { store: fromExpressSessionStore(backend.store, { timeoutMs: 1_000 }), ...session },
      });
      return t;
    }
    afterEach(async () => {
      await t?.close();
      await backend?.dispose();
      t = undefined;
      backend = undefined;
    });

    it('writes an express-session-shaped record whose backend TTL is the idle timeout; express-session reads it', async () => {
      const app = await start({ idleTimeout: 120_000 });
      const reply = await request(app.url, '/probe/cart-push?item=apple');
      const id = idOf(reply.sessionCookie);
      expect(await backend!.raw(id)).toEqual({
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
      // Both stores keep whole seconds, rounded up.
      const remaining = await backend!.remainingMs(id);
      expect(remaining).toBeGreaterThan(115_000);
      expect(remaining).toBeLessThanOrEqual(121_000);

      const loaded = await loadWithExpressSession(backend!.store, id);
      expect({ ...loaded }).toMatchObject({ cart: { items: ['apple'] } });

      const more = await request(app.url, '/probe/cart-push?item=pear', { cookie: reply.sessionCookie });
      expect(more.json).toMatchObject({ isNew: false, data: { cart: { items: ['apple', 'pear'] } } });
      expect(await backend!.raw(id)).toMatchObject({ cart: { items: ['apple', 'pear'] } });
    });

    it('a read after touchAfter extends the backend TTL through the store’s touch()', async () => {
      const app = await start({ idleTimeout: 60_000, touchAfter: 1_000 });
      const reply = await request(app.url, '/probe/visit');
      const id = idOf(reply.sessionCookie);
      await sleep(2_100);
      const before = (await backend!.remainingMs(id)) ?? 0;
      expect(before).toBeLessThan(59_000);
      await request(app.url, '/probe/read', { cookie: reply.sessionCookie });
      expect(await backend!.remainingMs(id)).toBeGreaterThan(before + 1_000);
    });

    it('regenerate and destroy delete the backend record', async () => {
      const app = await start();
      const first = await request(app.url, '/probe/visit');
      const regenerated = await request(app.url, '/probe/regenerate?keep=1', { cookie: first.sessionCookie });
      expect(await backend!.raw(idOf(first.sessionCookie))).toBeUndefined();
      expect(await backend!.raw(idOf(regenerated.sessionCookie))).toMatchObject({
        visits: 1,
        regenerated: true,
      });
      const destroyed = await request(app.url, '/probe/destroy', { cookie: regenerated.sessionCookie });
      expect(destroyed.setCookies[0]).toMatch(/^sid=;.*Max-Age=0/);
      expect(await backend!.raw(idOf(regenerated.sessionCookie))).toBeUndefined();
    });

    it('offers length() and clear() exactly when the store has them', async () => {
      const app = await start();
      await request(app.url, '/probe/visit');
      await request(app.url, '/probe/visit');
      const adapter = app.app.get<SessionStore>(getSessionStoreToken());
      const store = backend!.store as Partial<Record<'length' | 'clear', unknown>>;
      expect(typeof adapter.length).toBe(typeof store.length);
      expect(typeof adapter.clear).toBe(typeof store.clear);
      if (adapter.length && adapter.clear) {
        expect(await adapter.length()).toBe(2);
        await adapter.clear();
        expect(await adapter.length()).toBe(0);
      }
    });

    it('refuses the store passed directly as `store`, at start-up', async () => {
      backend = await make();
      @Module({
        imports: [
          SessionModule.forRoot({ secret: TEST_SECRET, store: backend.store as unknown as SessionStore }),
        ],
        controllers: [ProbeController],
      })
      class DirectStoreModule {}
      const failure = await NestFactory.create(DirectStoreModule, {
        logger: new CapturingLogger(),
        abortOnError: false,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(InvalidSessionOptionsError);
      expect((failure as Error).message).toContain('fromExpressSessionStore');
    });
  });
});

(postgresUp ? describe : describe.skip)('connect-pg-simple failing under the adapter', () => {
  it('answers 503 while its table is gone, then recovers; the process goes on', async () => {
    const backend = await pgSimpleStore();
    const t = await startSessionApp({ session: { store: fromExpressSessionStore(backend.store) } });
    try {
      const cookie = (await request(t.url, '/probe/visit')).sessionCookie;
      const table = `"${backend.schema.name}"."session"`;
      await backend.schema.run(`ALTER TABLE ${table} RENAME TO session_away`);
      const down = await request(t.url, '/probe/read', { cookie });
      expect(down.status).toBe(503);
      expect(t.logger.text()).toMatch(/Session store get failed.*session/);
      expect((await request(t.url, '/probe/none', { cookie })).status).toBe(200);
      await backend.schema.run(`ALTER TABLE "${backend.schema.name}".session_away RENAME TO session`);
      expect((await request(t.url, '/probe/read', { cookie })).json).toMatchObject({ data: { visits: 1 } });
    } finally {
      await t.close();
      await backend.dispose();
    }
  });
});

(redisUp ? describe : describe.skip)('connect-redis during a Redis outage (own redis-server)', () => {
  it('times out into 503 while Redis is down, and serves every session again when it is back', async () => {
    const server = await OwnRedisServer.start();
    const backend = await connectRedisStore(server.url);
    const t = await startSessionApp({
      session: { store: fromExpressSessionStore(backend.store, { timeoutMs: 300 }) },
    });
    try {
      const cookie = (await request(t.url, '/probe/visit')).sessionCookie;
      await server.pause();
      const started = Date.now();
      const down = await request(t.url, '/probe/read', { cookie });
      expect(down.status).toBe(503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(295);
      expect((await request(t.url, '/probe/visit')).status).toBe(503);
      expect((await request(t.url, '/probe/none', { cookie })).status).toBe(200);
      expect(t.logger.text()).toContain('ExpressSessionStoreTimeoutError');
      await server.resume();
      let back: unknown;
      for (let attempt = 0; attempt < 50; attempt++) {
        const reply = await request(t.url, '/probe/read', { cookie });
        if (reply.status === 200) {
          back = reply.json;
          break;
        }
        await sleep(100);
      }
      expect(back).toMatchObject({ isNew: false, data: { visits: 1 } });
    } finally {
      await t.close();
      await backend.dispose();
      await server.dispose();
    }
  }, 30_000);
});
