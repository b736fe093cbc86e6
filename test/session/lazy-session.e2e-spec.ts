import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { interleavedDifferentKeys, interleavedSameKey, sessionGet } from '../support/interleaved-writes.js';
import { LatchServer } from '../support/latch-server.js';
import { startSessionApp, type SessionTestApp } from '../support/session-app.js';

describe('lazy load and lazy persist', () => {
  let t: SessionTestApp;
  let latches: LatchServer;
  beforeAll(async () => {
    t = await startSessionApp();
    latches = await LatchServer.start();
  });
  afterAll(async () => {
    await latches.close();
    await t.close();
  });
  beforeEach(async () => {
    await t.store.clear();
    t.store.reset();
  });

  async function login(): Promise<string> {
    const reply = await request(t.url, '/probe/write?k=user&v=ann');
    expect(reply.sessionCookie).toBeDefined();
    t.store.reset();
    return reply.sessionCookie as string;
  }

  it('1. no cookie and a handler that never touches the session: no Set-Cookie, no store call', async () => {
    const reply = await request(t.url, '/probe/none');
    expect(reply.status).toBe(200);
    expect(reply.setCookies).toEqual([]);
    expect(t.store.total).toBe(0);
  });

  it('2. a valid cookie and a handler that does not use the session: no store call, no Set-Cookie', async () => {
    const cookie = await login();
    const reply = await request(t.url, '/probe/none', { cookie });
    expect(reply.status).toBe(200);
    expect(reply.setCookies).toEqual([]);
    expect(t.store.total).toBe(0);
  });

  it('3. reading a new session without writing persists nothing and sends no cookie', async () => {
    const first = await request(t.url, '/probe/read');
    const second = await request(t.url, '/probe/read');
    expect(first.setCookies).toEqual([]);
    expect(second.setCookies).toEqual([]);
    expect(t.store.total).toBe(0);
    expect(await t.store.length()).toBe(0);
    const a = first.json as { id: string; isNew: boolean };
    const b = second.json as { id: string; isNew: boolean };
    expect(a.isNew).toBe(true);
    expect(b.isNew).toBe(true);
    expect(a.id).not.toBe(b.id);
  });

  it('4. the first write does exactly one set and sends one signed cookie; later requests continue the session', async () => {
    const first = await request(t.url, '/probe/visit');
    expect(t.store.calls).toEqual({ get: 0, set: 1, patch: 0, destroy: 0, touch: 0 });
    expect(first.setCookies).toHaveLength(1);
    expect(first.sessionCookie).toMatch(/^sid=[A-Za-z0-9_-]{32}\.[A-Za-z0-9%]+$/);
    const id = (first.json as { id: string }).id;

    const second = await request(t.url, '/probe/visit', { cookie: first.sessionCookie });
    expect(second.json).toMatchObject({ id, isNew: false, data: { visits: 2 } });
    expect(second.setCookies).toEqual([]);
    const third = await request(t.url, '/probe/read', { cookie: first.sessionCookie });
    expect(third.json).toMatchObject({ id, data: { visits: 2 } });
  });

  it('5. reading an existing session without changing it does not set; rewriting the same value does not set', async () => {
    const cookie = await login();
    const read = await request(t.url, '/probe/read', { cookie });
    expect(read.json).toMatchObject({ data: { user: 'ann' } });
    const same = await request(t.url, '/probe/rewrite-same', { cookie });
    expect(same.status).toBe(200);
    expect(t.store.calls.set + t.store.calls.patch).toBe(0);
    expect(t.store.calls.get).toBe(2);
    expect(t.store.calls.touch).toBe(0);
  });

  it('6. a nested mutation is detected and saved', async () => {
    const cookie = (await request(t.url, '/probe/cart-push?item=apple')).sessionCookie;
    await request(t.url, '/probe/cart-push?item=pear', { cookie });
    const read = await request(t.url, '/probe/read', { cookie });
    expect(read.json).toMatchObject({ data: { cart: { items: ['apple', 'pear'] } } });
    expect(t.store.calls.patch).toBe(1);
  });

  it('8. await session.save() followed by no further change writes once', async () => {
    const reply = await request(t.url, '/probe/save-then-return');
    expect(t.store.calls.set + t.store.calls.patch).toBe(1);
    expect(reply.sessionCookie).toBeDefined();
    const read = await request(t.url, '/probe/read', { cookie: reply.sessionCookie });
    expect(read.json).toMatchObject({ data: { user: 'saved' } });
  });

  it('18. a request that only reads never overwrites a concurrent write', async () => {
    const cookie = await login();
    const [slowReader] = await Promise.all([
      request(t.url, '/probe/slow-read?ms=150', { cookie }),
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return request(t.url, '/probe/write?k=user&v=bob', { cookie });
      })(),
    ]);
    expect(slowReader.json).toMatchObject({ data: { user: 'ann' } });
    const after = await request(t.url, '/probe/read', { cookie });
    expect(after.json).toMatchObject({ data: { user: 'bob' } });
  });

  it('18. concurrent writes to different keys of one session both survive (per-key patch)', async () => {
    const cookie = await login();
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k) => request(t.url, `/probe/slow-write?k=${k}&ms=40`, { cookie })));
    const after = (await request(t.url, '/probe/read', { cookie })).json as { data: Record<string, unknown> };
    for (const k of keys) expect(after.data[k]).toBe(k);
    expect(after.data.user).toBe('ann');
  });

  it('18. concurrent writes to different keys that both existed at load, loads and saves interleaved: both survive', async () => {
    const cookie = await login();
    await request(t.url, '/probe/write?k=x&v=one', { cookie });
    await interleavedDifferentKeys(sessionGet(t.url), cookie, latches);
  });

  it('18. concurrent writes to the same key, loads and saves interleaved: the write saved last wins', async () => {
    const cookie = await login();
    await request(t.url, '/probe/write?k=x&v=one', { cookie });
    await interleavedSameKey(sessionGet(t.url), cookie, latches);
  });

  it('18. 50 concurrent cookie-less requests that never write leave zero store entries', async () => {
    await t.store.clear();
    const replies = await Promise.all(Array.from({ length: 50 }, () => request(t.url, '/probe/read')));
    expect(replies.every((r) => r.status === 200 && r.setCookies.length === 0)).toBe(true);
    expect(await t.store.length()).toBe(0);
    expect(t.store.total).toBe(0);
  });
});
