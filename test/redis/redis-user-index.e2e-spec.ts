import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { Session, SessionModule, UserSessions, type UserSessionEntry } from '@nest-hive/session';
import { RedisSessionStore, RedisWriteNotReplicatedError } from '@nest-hive/session/redis';
import type { RedisSessionStoreOptions } from '@nest-hive/session/redis';
import { createAppOn } from '../support/http-adapters.js';
import { request } from '../support/http.js';
import { freePort, waitFor } from '../support/processes.js';
import { OwnRedisServer, redisReachable, uniquePrefix } from '../support/redis.js';
import {
  clusterTarget,
  sentinelTarget,
  singleRedisTarget,
  type RedisTarget,
} from '../support/redis-targets.js';
import { appUrl, TEST_SECRET } from '../support/session-app.js';

const describeRedis = (await redisReachable()) ? describe : describe.skip;

const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

/** The key the index keeps `user`'s hash at. */
const indexKey = (prefix: string, user: string): string =>
  `${prefix}user:{${createHash('sha256').update(user, 'utf8').digest('base64url')}}`;

function entry(handle: string, fields: Partial<UserSessionEntry> = {}): UserSessionEntry {
  const now = Date.now();
  return {
    handle: handle.padEnd(22, '0'),
    sessionId: `id-${handle}`,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 60_000,
    userAgent: `agent ${handle}`,
    ...fields,
  };
}

const byHandle = (entries: UserSessionEntry[]) =>
  [...entries].sort((a, b) => a.handle.localeCompare(b.handle));

interface LoginData {
  passport?: { user?: string };
}

@Controller()
class LoginController {
  @Get('login')
  login(@Session() session: Session<LoginData>): { ok: true } {
    session.passport = { user: 'alice' };
    return { ok: true };
  }

  @Get('me')
  me(@Session() session: Session<LoginData>): { user: string | null } {
    return { user: session.passport?.user ?? null };
  }
}

// The shared single Redis has no replica: durable writes are tried where replicas confirm them.
describeRedis.each([
  ['single Redis', singleRedisTarget, [false]],
  ['Redis Sentinel', sentinelTarget, [false, true]],
  ['Redis Cluster', clusterTarget, [false, true]],
] as const)('the per-user index of RedisSessionStore on %s', (_name, connect, durableModes) => {
  let topology: RedisTarget;
  const stores: RedisSessionStore[] = [];
  const makeStore = (prefix: string, options: RedisSessionStoreOptions = {}): RedisSessionStore => {
    const store = new RedisSessionStore({ ...topology.options, prefix, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    topology = await connect();
  }, 60_000);
  afterEach(async () => {
    for (const store of stores.splice(0)) {
      await store.clear();
      await store.close();
    }
  });
  afterAll(() => topology?.dispose());

  it.each(durableModes)(
    'adds, lists, replaces and removes entries per user (durableWrites %s)',
    async (durable) => {
      const prefix = uniquePrefix('index');
      const index = makeStore(prefix, { durableWrites: durable }).userIndex;
      const [a, b, c] = [entry('a'), entry('b'), entry('c')];
      await index.add('alice', a);
      await index.add('alice', b);
      await index.add('bob', c);
      expect(byHandle(await index.list('alice'))).toEqual([a, b]);
      expect(await index.list('bob')).toEqual([c]);
      expect(await index.list('nobody')).toEqual([]);

      const replaced = { ...a, userAgent: 'replaced', createdAt: a.createdAt + 1 };
      await index.add('alice', replaced);
      expect(byHandle(await index.list('alice'))).toEqual([replaced, b]);

      await index.remove('alice', []);
      await index.remove('alice', [a.handle, 'absent-handle'.padEnd(22, '0')]);
      expect(await index.list('alice')).toEqual([b]);
      await index.remove('alice', [b.handle]);
      expect(await index.list('alice')).toEqual([]);
      expect(await topology.raw.exists(indexKey(prefix, 'alice'))).toBe(0);
      expect(await index.list('bob')).toEqual([c]);
    },
  );

  it('keeps one hash per user at <prefix>user:{sha256}, whatever the user id holds', async () => {
    const prefix = uniquePrefix('keys');
    const index = makeStore(prefix).userIndex;
    const users = ['a{b}c', 'a{b}d', '{', '}', 'ünï cødé', ' '];
    for (const [at, user] of users.entries()) await index.add(user, entry(`u${at}`));
    for (const [at, user] of users.entries()) {
      expect(await index.list(user)).toEqual([expect.objectContaining({ handle: entry(`u${at}`).handle })]);
      expect(await topology.raw.hlen(indexKey(prefix, user))).toBe(1);
    }
  });

  it('seen renews an entry and its key, and never adds one back', async () => {
    const prefix = uniquePrefix('seen');
    const index = makeStore(prefix).userIndex;
    const key = indexKey(prefix, 'alice');
    const a = entry('a', { expiresAt: Date.now() + 10_000 });
    await index.add('alice', a);
    expect(await topology.raw.pttl(key)).toBeLessThanOrEqual(10_000);

    const later = Date.now() + 50_000;
    await index.seen('alice', a.handle, a.lastSeenAt + 5, later);
    expect(await index.list('alice')).toEqual([{ ...a, lastSeenAt: a.lastSeenAt + 5, expiresAt: later }]);
    expect(await topology.raw.pttl(key)).toBeGreaterThan(40_000);

    // An entry with a shorter life never shortens the hash that holds longer ones.
    await index.add('alice', entry('b', { expiresAt: Date.now() + 5_000 }));
    expect(await topology.raw.pttl(key)).toBeGreaterThan(40_000);

    await index.remove('alice', [a.handle]);
    await index.seen('alice', a.handle, Date.now(), Date.now() + 60_000);
    expect(await topology.raw.hexists(key, a.handle)).toBe(0);
    await index.seen('carol', a.handle, Date.now(), Date.now() + 60_000);
    expect(await topology.raw.exists(indexKey(prefix, 'carol'))).toBe(0);
  });

  it('never lists an expired entry, removes it when listing, and never stores one already expired', async () => {
    const prefix = uniquePrefix('expired');
    const index = makeStore(prefix).userIndex;
    const key = indexKey(prefix, 'alice');
    const [live, lapsing] = [entry('live'), entry('lapsing')];
    await index.add('alice', live);
    await index.add('alice', lapsing);
    await index.seen('alice', lapsing.handle, Date.now(), Date.now() - 1);
    await index.add('alice', entry('dead', { expiresAt: Date.now() - 1 }));
    expect(await topology.raw.hlen(key)).toBe(2);
    expect(await index.list('alice')).toEqual([live]);
    expect(await topology.raw.hkeys(key)).toEqual([live.handle]);
  });

  it('skips and deletes values that are not entries, and never crashes on them', async () => {
    const prefix = uniquePrefix('junk');
    const index = makeStore(prefix).userIndex;
    const key = indexKey(prefix, 'alice');
    const good = entry('good');
    await index.add('alice', good);
    const junk = {
      notJson: '{nope',
      array: '[]',
      nullValue: 'null',
      number: '42',
      otherHandle: JSON.stringify(entry('other')),
      noTimes: JSON.stringify({ ...entry('noTimes'), handle: 'noTimes', expiresAt: 'soon' }),
      noAgent: JSON.stringify({ ...entry('noAgent'), handle: 'noAgent', userAgent: null }),
    };
    await topology.raw.hset(key, junk);
    expect(await index.list('alice')).toEqual([good]);
    expect(await topology.raw.hkeys(key)).toEqual([good.handle]);

    await topology.raw.hset(key, 'junk', '{nope');
    await index.seen('alice', 'junk', Date.now(), Date.now() + 60_000);
    expect(await topology.raw.hexists(key, 'junk')).toBe(0);
  });

  it('rejects, without crashing, when the user key holds something else (WRONGTYPE)', async () => {
    const prefix = uniquePrefix('wrongtype');
    const index = makeStore(prefix).userIndex;
    await topology.raw.set(indexKey(prefix, 'alice'), 'a string', 'PX', 60_000);
    await expect(index.list('alice')).rejects.toThrow(/WRONGTYPE/);
    await expect(index.add('alice', entry('a'))).rejects.toThrow(/WRONGTYPE/);
    await expect(index.seen('alice', entry('a').handle, Date.now(), Date.now() + 1_000)).rejects.toThrow();
    await expect(index.remove('alice', [entry('a').handle])).rejects.toThrow(/WRONGTYPE/);
    await topology.raw.del(indexKey(prefix, 'alice'));
  });

  it('never outlives its sessions: the user key expires with them', async () => {
    const prefix = uniquePrefix('outlive');
    const store = makeStore(prefix);
    const key = indexKey(prefix, 'alice');
    for (const [id, ttl] of [
      ['s1', 300],
      ['s2', 200],
    ] as const) {
      const now = Date.now(); // as a login does: the entry first, then the record, with one `now`
      await store.userIndex.add('alice', entry(id, { sessionId: id, expiresAt: now + ttl }));
      await store.set(id, record({ passport: { user: 'alice' } }), ttl);
    }
    const sessionTtl = await topology.raw.pttl(`${prefix}{s1}`); // read first: it only shrinks after
    const keyTtl = await topology.raw.pttl(key);
    expect(keyTtl).toBeGreaterThan(0);
    expect(keyTtl).toBeLessThanOrEqual(sessionTtl);

    await waitFor(
      'the sessions to expire',
      async () => ((await store.length()) === 0 ? true : undefined),
      3_000,
      20,
    );
    expect(await topology.raw.exists(`${prefix}{s1}`)).toBe(0); // one key a call: other slots on a Cluster
    expect(await topology.raw.exists(`${prefix}{s2}`)).toBe(0);
    expect(await topology.raw.exists(key)).toBe(0);
  });

  it('length() counts sessions only; clear() removes the index keys too', async () => {
    const prefix = uniquePrefix('count');
    const store = makeStore(prefix);
    const users = Array.from({ length: 12 }, (_, at) => `user${at}`);
    for (const [at, user] of users.entries()) {
      await store.set(`s${at}`, record({ passport: { user } }), 60_000);
      await store.userIndex.add(user, entry(`s${at}`, { sessionId: `s${at}` }));
    }
    expect(await store.length()).toBe(12);
    for (const user of users) expect(await topology.raw.exists(indexKey(prefix, user))).toBe(1);
    await store.clear();
    expect(await store.length()).toBe(0);
    for (const user of users) expect(await topology.raw.exists(indexKey(prefix, user))).toBe(0);
  });

  it('through the module: lists a user’s two logins, revokes one, then all', async () => {
    const prefix = uniquePrefix('module');
    const store = new RedisSessionStore({ ...topology.options, prefix });
    @Module({
      imports: [SessionModule.forRoot({ secret: TEST_SECRET, store })],
      controllers: [LoginController],
    })
    class AppModule {}
    const app = await createAppOn('express', AppModule, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const url = appUrl(app);
      const users = app.get(UserSessions);
      const login = async (agent: string) => {
        const reply = await request(url, '/login', { headers: { 'user-agent': agent } });
        expect(reply.status).toBe(200);
        if (!reply.sessionCookie) throw new Error('no session cookie');
        return reply.sessionCookie;
      };
      const userOf = async (cookie: string) => (await request(url, '/me', { cookie })).json;
      const [phone, laptop] = [await login('Phone/1.0'), await login('Laptop/2.0')];
      expect(await userOf(phone)).toEqual({ user: 'alice' });

      const listed = await users.listOf('alice');
      expect(listed.map((info) => info.userAgent).sort()).toEqual(['Laptop/2.0', 'Phone/1.0']);
      const key = indexKey(prefix, 'alice');
      expect(await topology.raw.hlen(key)).toBe(2);
      const phoneHandle = listed.find((info) => info.userAgent === 'Phone/1.0')?.handle ?? '';

      expect(await users.revokeOf('alice', phoneHandle)).toBe(true);
      expect(await userOf(phone)).toEqual({ user: null });
      expect(await userOf(laptop)).toEqual({ user: 'alice' });
      expect((await users.listOf('alice')).map((info) => info.userAgent)).toEqual(['Laptop/2.0']);

      expect(await users.revokeAll('alice')).toBe(1);
      expect(await userOf(laptop)).toEqual({ user: null });
      expect(await users.listOf('alice')).toEqual([]);
      expect(await topology.raw.exists(key)).toBe(0);
    } finally {
      await app.close(); // closes the store
      const cleaner = makeStore(prefix);
      expect(await cleaner.length()).toBe(0);
    }
  });
});

describe('the per-user index when Redis fails', () => {
  it('rejects every call while no server answers', async () => {
    const store = new RedisSessionStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      operationTimeoutMs: 300,
    });
    try {
      const index = store.userIndex;
      await expect(index.add('alice', entry('a'))).rejects.toThrow();
      await expect(index.list('alice')).rejects.toThrow();
      await expect(index.seen('alice', entry('a').handle, Date.now(), Date.now() + 1_000)).rejects.toThrow();
      await expect(index.remove('alice', [entry('a').handle])).rejects.toThrow();
    } finally {
      await store.close();
    }
  });

  it('with durableWrites and no replica, refuses index writes as it refuses session writes', async () => {
    const server = await OwnRedisServer.start();
    const store = new RedisSessionStore({
      url: server.url,
      durableWrites: { timeoutMs: 200 },
      operationTimeoutMs: 1_000,
    });
    try {
      await expect(store.userIndex.add('alice', entry('a'))).rejects.toBeInstanceOf(
        RedisWriteNotReplicatedError,
      );
      await expect(store.userIndex.remove('alice', [entry('a').handle])).rejects.toBeInstanceOf(
        RedisWriteNotReplicatedError,
      );
      // The first write reached the master, unacknowledged; reads still answer.
      expect(await store.userIndex.list('alice')).toEqual([
        expect.objectContaining({ handle: entry('a').handle }),
      ]);
    } finally {
      await store.close();
      await server.dispose();
    }
  });
});
