import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisSessionStore } from '@nest-hive/session/redis';
import { CountingStore } from '../support/counting-store.js';
import { request } from '../support/http.js';
import { interleavedDifferentKeys, interleavedSameKey, sessionGet } from '../support/interleaved-writes.js';
import { LatchServer } from '../support/latch-server.js';
import { OwnRedisServer, REDIS_URL, redisReachable, uniquePrefix } from '../support/redis.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

describeRedis('RedisSessionStore against a real Redis', () => {
  let raw: Redis;
  const stores: RedisSessionStore[] = [];
  const makeStore = (options: ConstructorParameters<typeof RedisSessionStore>[0] = {}): RedisSessionStore => {
    const store = new RedisSessionStore({ url: REDIS_URL, prefix: uniquePrefix('store'), ...options });
    stores.push(store);
    return store;
  };
  beforeAll(() => {
    raw = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) {
      await store.clear();
      await store.close();
    }
  });
  afterAll(() => raw.quit());

  it('stores, reads and destroys records, with the TTL from the expiry', async () => {
    const prefix = uniquePrefix('ttl');
    const store = makeStore({ prefix });
    await store.set('a', { ...record({ user: 'ann', n: 1 }), cookie: { maxAge: 5000 } }, 60_000);
    const read = await store.get('a');
    expect(read?.data).toEqual({ user: 'ann', n: 1 });
    expect(read?.cookie).toEqual({ maxAge: 5000 });
    expect(read?.expiresAt).toBeGreaterThan(Date.now() + 55_000);
    const ttl = await raw.pttl(`${prefix}{a}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.destroy('a');
    expect(await store.get('a')).toBeUndefined();
    expect(await raw.exists(`${prefix}{a}`)).toBe(0);
  });

  it('touch is PEXPIRE, and an expired record is absent', async () => {
    const prefix = uniquePrefix('touch');
    const store = makeStore({ prefix });
    await store.set('a', record({}), 150);
    await store.touch('a', 30_000);
    expect(await raw.pttl(`${prefix}{a}`)).toBeGreaterThan(25_000);
    await store.set('b', record({}), 100);
    await sleep(200);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
  });

  it('applies patches key by key in Redis hash fields and refuses an absent record', async () => {
    const prefix = uniquePrefix('patch');
    const store = makeStore({ prefix });
    await store.set('a', record({ a: 1, b: 2, c: 3 }), 60_000);
    expect(await store.patch('a', { set: { a: 10, d: { deep: [1] } }, unset: ['c'] }, 60_000)).toBe(true);
    expect((await store.get('a'))?.data).toEqual({ a: 10, b: 2, d: { deep: [1] } });
    expect(await raw.hget(`${prefix}{a}`, 'd:a')).toBe('10');
    expect(await store.patch('missing', { set: { a: 1 }, unset: [] }, 60_000)).toBe(false);
    expect(await raw.exists(`${prefix}{missing}`)).toBe(0);
  });

  it('uses the pluggable serializer for each value', async () => {
    const prefix = uniquePrefix('serializer');
    const store = makeStore({
      prefix,
      serializer: {
        stringify: (value) => `b64:${Buffer.from(JSON.stringify(value)).toString('base64')}`,
        parse: (text) => JSON.parse(Buffer.from(text.slice(4), 'base64').toString()) as unknown,
      },
    });
    await store.set('a', record({ user: 'ann' }), 60_000);
    expect(await raw.hget(`${prefix}{a}`, 'd:user')).toBe(`b64:${Buffer.from('"ann"').toString('base64')}`);
    expect((await store.get('a'))?.data).toEqual({ user: 'ann' });
  });

  it('clear() and length() walk the prefix with SCAN, never KEYS, and leave other prefixes alone', async () => {
    const store = makeStore({ scanCount: 7 });
    const neighbour = makeStore();
    for (let i = 0; i < 40; i++) await store.set(`s${i}`, record({ i }), 60_000);
    await neighbour.set('n', record({}), 60_000);

    const monitor = await raw.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
    try {
      expect(await store.length()).toBe(40);
      await store.clear();
      expect(await store.length()).toBe(0);
      await sleep(50);
    } finally {
      monitor.disconnect();
    }

    expect(commands).toContain('scan');
    expect(commands).not.toContain('keys');
    expect(await neighbour.length()).toBe(1);
  });

  it('closes only the client it created', async () => {
    const own = new RedisSessionStore({ url: REDIS_URL, prefix: uniquePrefix('close') });
    await own.length();
    await own.close();
    await expect(own.get('x')).rejects.toThrow(/closed/);

    const client = new Redis(REDIS_URL);
    const borrowed = new RedisSessionStore({ client, prefix: uniquePrefix('close') });
    await borrowed.length();
    await borrowed.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});

describeRedis('sessions over HTTP on Redis', () => {
  let t: SessionTestApp;
  let store: RedisSessionStore;
  let latches: LatchServer;
  beforeAll(async () => {
    store = new RedisSessionStore({ url: REDIS_URL, prefix: uniquePrefix('http') });
    t = await startSessionApp({ store: new CountingStore(store) });
    latches = await LatchServer.start();
  });
  afterAll(async () => {
    await latches.close();
    await store.clear();
    await t.close();
    await store.close();
  });

  it('concurrent writes to different keys that both existed at load, loads and saves interleaved: both survive', async () => {
    const cookie = (await request(t.url, '/probe/write?k=user&v=ann')).sessionCookie as string;
    await request(t.url, '/probe/write?k=x&v=one', { cookie });
    await interleavedDifferentKeys(sessionGet(t.url), cookie, latches);
  });

  it('concurrent writes to the same key, loads and saves interleaved: the write saved last wins', async () => {
    const cookie = (await request(t.url, '/probe/write?k=user&v=ann')).sessionCookie as string;
    await request(t.url, '/probe/write?k=x&v=one', { cookie });
    await interleavedSameKey(sessionGet(t.url), cookie, latches);
  });

  it('50 concurrent requests that each set their own key all land (no lost updates)', async () => {
    const cookie = (await request(t.url, '/probe/write?k=user&v=ann')).sessionCookie;
    const keys = Array.from({ length: 50 }, (_, i) => `key${i}`);
    const replies = await Promise.all(
      keys.map((k) => request(t.url, `/probe/slow-write?k=${k}&ms=20`, { cookie })),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const data = ((await request(t.url, '/probe/read', { cookie })).json as { data: Record<string, unknown> })
      .data;
    for (const k of keys) expect(data[k]).toBe(k);
    expect(data.user).toBe('ann');
  });

  it('two writes to the same key: the last write wins', async () => {
    const cookie = (await request(t.url, '/probe/write?k=user&v=first')).sessionCookie;
    const slow = request(t.url, '/probe/slow-write?k=user&ms=80', { cookie });
    await sleep(20);
    await request(t.url, '/probe/write?k=user&v=second', { cookie });
    await slow;
    const data = ((await request(t.url, '/probe/read', { cookie })).json as { data: Record<string, unknown> })
      .data;
    expect(data.user).toBe('user');
  });
});

describeRedis('a Redis outage', () => {
  let server: OwnRedisServer;
  let store: RedisSessionStore;
  let t: SessionTestApp;
  beforeAll(async () => {
    server = await OwnRedisServer.start();
    store = new RedisSessionStore({ url: server.url, operationTimeoutMs: 500 });
    t = await startSessionApp({ store: new CountingStore(store) });
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await store.close();
    await server.dispose();
  });

  it('answers 503 for the session, keeps other routes up, recovers by itself, and keeps the data', async () => {
    const cookie = (await request(t.url, '/probe/write?k=user&v=ann')).sessionCookie;
    expect((await request(t.url, '/probe/read', { cookie })).json).toMatchObject({ data: { user: 'ann' } });

    await server.pause();
    const started = Date.now();
    const during = await request(t.url, '/probe/read', { cookie });
    expect(during.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await request(t.url, '/probe/visit')).status).toBe(503);
    expect((await request(t.url, '/probe/none', { cookie })).status).toBe(200);
    expect(t.logger.text()).toMatch(/Session store get failed/);

    await server.resume();
    const after = await (async () => {
      for (let i = 0; i < 100; i++) {
        const reply = await request(t.url, '/probe/read', { cookie });
        if (reply.status === 200) return reply;
        await sleep(100);
      }
      throw new Error('the app did not recover after Redis came back');
    })();
    expect(after.json).toMatchObject({ isNew: false, data: { user: 'ann' } });
  }, 30_000);
});
