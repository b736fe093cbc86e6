import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Query, Req } from '@nestjs/common';
import {
  MemorySessionStore,
  type SessionModuleOptions,
  type SessionStore,
  UserSessions,
} from '@nest-hive/session';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import { RedisSessionStore } from '@nest-hive/session/redis';
import { connectRedisStore, pgSimpleStore, type RealExpressStore } from '../support/express-stores.js';
import { request } from '../support/http.js';
import { interleavedDifferentKeys, sessionGet } from '../support/interleaved-writes.js';
import { LatchServer } from '../support/latch-server.js';
import { postgresReachable } from '../support/postgres.js';
import { ProbeController } from '../support/probe.controller.js';
import { REDIS_URL, redisReachable, uniquePrefix } from '../support/redis.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

const redisUp = await redisReachable();
const postgresUp = await postgresReachable();

/** The user of a probe session is its `user` key (the probe's `/probe/write` sets it). */
const users: SessionModuleOptions['users'] = {
  userOf: (data) => (typeof data.user === 'string' ? data.user : undefined),
};

/** The user-session routes of the test app. */
@Controller('users')
class UserSessionsController {
  constructor(private readonly sessions: UserSessions) {}

  @Get('mine')
  async mine(@Req() req: unknown): Promise<unknown> {
    return { sessions: (await this.sessions.list(req)) ?? null };
  }

  @Get('revoke-others')
  async revokeOthers(@Req() req: unknown): Promise<unknown> {
    return { revoked: await this.sessions.revokeOthers(req) };
  }

  @Get('revoke')
  async revoke(@Req() req: unknown, @Query('handle') handle: string): Promise<unknown> {
    return { revoked: await this.sessions.revoke(req, handle) };
  }
}

interface Backend {
  readonly store: SessionStore;
  /** What the backend itself holds for a session id (`undefined` when nothing). */
  raw(id: string): Promise<unknown>;
  dispose(): Promise<void>;
}

function nativeBackend(store: SessionStore & { close?(): Promise<void> }): Backend {
  return {
    store,
    raw: async (id) => store.get(id),
    dispose: async () => {
      await store.clear?.();
      await store.close?.();
    },
  };
}

function adapted(real: RealExpressStore): Backend {
  return {
    store: fromExpressSessionStore(real.store, { timeoutMs: 2_000 }),
    raw: real.raw,
    dispose: real.dispose,
  };
}

const BACKENDS: Array<[string, boolean, () => Promise<Backend>]> = [
  ['MemorySessionStore', true, async () => nativeBackend(new MemorySessionStore())],
  [
    'RedisSessionStore',
    redisUp,
    async () => nativeBackend(new RedisSessionStore({ url: REDIS_URL, prefix: uniquePrefix('users') })),
  ],
  ['connect-redis through fromExpressSessionStore', redisUp, async () => adapted(await connectRedisStore())],
  [
    'connect-pg-simple through fromExpressSessionStore',
    postgresUp,
    async () => adapted(await pgSimpleStore()),
  ],
];

const idOf = (json: unknown): string => (json as { id: string }).id;
const dataOf = (json: unknown): Record<string, unknown> => (json as { data: Record<string, unknown> }).data;

describe.each(BACKENDS)('user sessions and no logout undone on %s', (_name, available, make) => {
  const describeIf = available ? describe : describe.skip;
  describeIf('through a Nest app', () => {
    let backend: Backend;
    let t: SessionTestApp;
    let latches: LatchServer;
    beforeAll(async () => {
      backend = await make();
      t = await startSessionApp({
        session: { store: backend.store, users },
        controllers: [ProbeController, UserSessionsController],
      });
      latches = await LatchServer.start();
    });
    afterAll(async () => {
      await latches.close();
      await backend.dispose();
      await t.close();
    });

    async function login(user: string, agent: string): Promise<{ cookie: string; id: string }> {
      const reply = await request(t.url, `/probe/write?k=user&v=${user}`, {
        headers: { 'user-agent': agent },
      });
      expect(reply.status).toBe(200);
      return { cookie: reply.sessionCookie as string, id: idOf(reply.json) };
    }

    it('a save that lands after a logout never brings the session back', async () => {
      const { cookie, id } = await login('undo', 'agent-undo');
      const latch = `after-logout-${Math.random()}`;
      const slow = request(
        t.url,
        `/probe/latched-write?k=x&v=late&latch=${encodeURIComponent(latches.url(latch))}`,
        {
          cookie,
        },
      );
      await latches.arrived(latch);
      expect((await request(t.url, '/probe/destroy', { cookie })).status).toBe(200);
      latches.release(latch);
      expect((await slow).status).toBe(200);
      expect(await backend.raw(id)).toBeUndefined();
      const after = await request(t.url, '/probe/read', { cookie });
      expect(after.json).toMatchObject({ isNew: true, data: {} });
      expect(await t.app.get(UserSessions).listOf('undo')).toEqual([]);
    });

    it('two requests changing different keys of one session both win', async () => {
      const { cookie } = await login('ann', 'agent-keys');
      await request(t.url, '/probe/write?k=x&v=one', { cookie });
      await interleavedDifferentKeys(sessionGet(t.url), cookie, latches);
    });

    it('lists a user’s sessions with their user agents, revokes one and all others, and a revoked cookie is refused', async () => {
      const phone = await login('carol', 'phone/1.0');
      const laptop = await login('carol', 'laptop/2.0');
      const tablet = await login('carol', 'tablet/3.0');
      await login('dave', 'dave-phone');
      const mine = (await request(t.url, '/users/mine', { cookie: laptop.cookie })).json as {
        sessions: Array<{ handle: string; current: boolean; userAgent: string; createdAt: number }>;
      };
      expect(mine.sessions.map((s) => s.userAgent).sort()).toEqual(['laptop/2.0', 'phone/1.0', 'tablet/3.0']);
      expect(mine.sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual(['laptop/2.0']);
      for (const s of mine.sessions) {
        expect(s.handle).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect([phone.id, laptop.id, tablet.id]).not.toContain(s.handle);
      }
      const phoneHandle = mine.sessions.find((s) => s.userAgent === 'phone/1.0')!.handle;
      const dave = await request(t.url, `/users/revoke?handle=${phoneHandle}`, {
        cookie: (await login('dave', 'dave-laptop')).cookie,
      });
      expect(dave.json).toEqual({ revoked: false });
      expect(dataOf((await request(t.url, '/probe/read', { cookie: phone.cookie })).json)).toEqual({
        user: 'carol',
      });

      const revoked = await request(t.url, `/users/revoke?handle=${phoneHandle}`, { cookie: laptop.cookie });
      expect(revoked.json).toEqual({ revoked: true });
      expect(await backend.raw(phone.id)).toBeUndefined();
      expect((await request(t.url, '/probe/read', { cookie: phone.cookie })).json).toMatchObject({
        isNew: true,
        data: {},
      });

      const others = await request(t.url, '/users/revoke-others', { cookie: laptop.cookie });
      expect(others.json).toEqual({ revoked: 1 });
      expect(await backend.raw(tablet.id)).toBeUndefined();
      expect(dataOf((await request(t.url, '/probe/read', { cookie: laptop.cookie })).json)).toEqual({
        user: 'carol',
      });
      const left = await t.app.get(UserSessions).listOf('carol');
      expect(left.map((s) => s.userAgent)).toEqual(['laptop/2.0']);

      expect(await t.app.get(UserSessions).revokeAll('carol')).toBe(1);
      expect(await backend.raw(laptop.id)).toBeUndefined();
      expect(await t.app.get(UserSessions).listOf('carol')).toEqual([]);
      expect((await t.app.get(UserSessions).listOf('dave')).length).toBe(2);
    });

    it('a logout (the user key removed) takes the session out of the index, and a regenerate moves it', async () => {
      const { cookie } = await login('erin', 'erin-agent');
      expect(await t.app.get(UserSessions).listOf('erin')).toHaveLength(1);
      expect((await request(t.url, '/probe/write?k=user&v=frank', { cookie })).status).toBe(200);
      expect(await t.app.get(UserSessions).listOf('erin')).toEqual([]);
      expect(await t.app.get(UserSessions).listOf('frank')).toHaveLength(1);
      const regenerated = await request(t.url, '/probe/regenerate?keep=1', { cookie });
      const frank = await t.app.get(UserSessions).listOf('frank');
      expect(frank).toHaveLength(1);
      const mine = (await request(t.url, '/users/mine', { cookie: regenerated.sessionCookie as string }))
        .json as {
        sessions: Array<{ handle: string; current: boolean }>;
      };
      expect(mine.sessions).toEqual([expect.objectContaining({ handle: frank[0].handle, current: true })]);
    });
  });
});

describe.each(BACKENDS)('the index never outlives its sessions on %s', (_name, available, make) => {
  const itIf = available ? it : it.skip;
  let backend: Backend | undefined;
  let t: SessionTestApp | undefined;
  afterEach(async () => {
    await backend?.dispose();
    await t?.close();
    t = backend = undefined;
  });

  itIf('sessions that expire leave no entry behind', async () => {
    backend = await make();
    t = await startSessionApp({
      session: { store: backend.store, users, idleTimeout: 1_500, touchAfter: 0 },
      controllers: [ProbeController, UserSessionsController],
    });
    await request(t.url, '/probe/write?k=user&v=gina');
    await request(t.url, '/probe/write?k=user&v=gina');
    expect(await t.app.get(UserSessions).listOf('gina')).toHaveLength(2);
    await sleep(1_800);
    expect(await t.app.get(UserSessions).listOf('gina')).toEqual([]);
  });

  itIf('a session kept alive by writes keeps its entry past the lifetime of its login', async () => {
    backend = await make();
    t = await startSessionApp({
      session: { store: backend.store, users, idleTimeout: 1_500 },
      controllers: [ProbeController, UserSessionsController],
    });
    const login = await request(t.url, '/probe/write?k=user&v=ivy');
    const cookie = login.sessionCookie as string;
    const until = Date.now() + 2_700;
    for (let n = 0; Date.now() < until; n++) {
      expect((await request(t.url, `/probe/write?k=n&v=${n}`, { cookie })).status).toBe(200);
      await sleep(300);
    }
    expect(dataOf((await request(t.url, '/probe/read', { cookie })).json)).toMatchObject({ user: 'ivy' });
    expect(await t.app.get(UserSessions).listOf('ivy')).toHaveLength(1);
  });

  itIf('touch never extends a session past its expiry, even one its backend has not pruned yet', async () => {
    backend = await make();
    const store = backend.store;
    const record = { data: { user: 'hank' }, createdAt: Date.now() };
    const id = `expired-touch-${Math.random().toString(36).slice(2)}-0123456789`;
    await store.set(id, record, 300);
    // Some backends count lifetimes in whole seconds: wait until the store itself reads it as gone.
    const deadline = Date.now() + 5_000;
    while ((await store.get(id)) !== undefined && Date.now() < deadline) await sleep(100);
    expect(await store.get(id)).toBeUndefined();
    await store.touch(id, 60_000, record);
    expect(await store.get(id)).toBeUndefined();
  });
});
