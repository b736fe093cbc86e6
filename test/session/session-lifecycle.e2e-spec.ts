import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { startSessionApp, type SessionTestApp, type SessionTestAppOptions } from '../support/session-app.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';

describe.each(HTTP_ADAPTERS)('session lifecycle (%s)', (adapter) => {
  let t: SessionTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  async function start(options: SessionTestAppOptions = {}): Promise<SessionTestApp> {
    t = await startSessionApp({ adapter, ...options });
    return t;
  }
  const expiresOf = (setCookie: string | undefined): number => {
    const match = /Expires=([^;]+)/.exec(setCookie ?? '');
    if (!match) throw new Error(`no Expires in ${setCookie}`);
    return Date.parse(match[1]);
  };

  it('5. with touchAfter passed, a read-only request calls touch only', async () => {
    // The first read has the whole second of touchAfter to arrive (a read took over 100 ms on a
    // loaded 2-core machine running Node 26).
    const app = await start({ session: { touchAfter: 1_000, idleTimeout: 60_000 } });
    const cookie = (await request(app.url, '/probe/visit')).sessionCookie;
    app.store.reset();
    await request(app.url, '/probe/read', { cookie });
    expect(app.store.calls).toMatchObject({ get: 1, set: 0, patch: 0, touch: 0 });
    await sleep(1_100);
    const reply = await request(app.url, '/probe/read', { cookie });
    expect(app.store.calls).toMatchObject({ get: 2, set: 0, patch: 0, touch: 1 });
    expect(reply.setCookies).toEqual([]);
  });

  it('12. an expired entry is treated as absent', async () => {
    // The first read has the whole idle timeout to arrive, the last comes 500 ms after it ran out: a loaded
    // machine (two requests took over 150 ms on a 2-core box running other suites) cannot turn it around.
    const app = await start({ session: { idleTimeout: 1_000 } });
    const cookie = (await request(app.url, '/probe/visit')).sessionCookie;
    expect((await request(app.url, '/probe/read', { cookie })).json).toMatchObject({ isNew: false });
    await sleep(1_500);
    const reply = await request(app.url, '/probe/read', { cookie });
    expect(reply.json).toMatchObject({ isNew: true, data: {} });
  });

  it('12. maxAge set in a handler changes that response’s Expires, and later cookies keep it', async () => {
    const app = await start({ session: { cookie: { maxAge: 60_000 }, rolling: true } });
    const before = Date.now();
    const short = await request(app.url, '/probe/visit');
    expect(expiresOf(short.setCookies[0])).toBeLessThan(before + 120_000);
    const long = await request(app.url, '/probe/max-age?ms=86400000', { cookie: short.sessionCookie });
    expect(expiresOf(long.setCookies[0])).toBeGreaterThan(before + 86_000_000);
    expect(long.setCookies[0]).toMatch(/Max-Age=864\d\d/);
    const later = await request(app.url, '/probe/read', { cookie: long.sessionCookie });
    expect(expiresOf(later.setCookies[0])).toBeGreaterThan(before + 86_000_000);
  });

  it('12. a browser-session cookie has no Expires unless a handler sets maxAge', async () => {
    const app = await start();
    const reply = await request(app.url, '/probe/visit');
    expect(reply.setCookies[0]).not.toMatch(/Expires|Max-Age/);
  });

  it('12. absoluteTimeout ends a session even while it is active', async () => {
    const app = await start({ session: { absoluteTimeout: 400, idleTimeout: 60_000, touchAfter: 0 } });
    const cookie = (await request(app.url, '/probe/visit')).sessionCookie;
    const seen: boolean[] = [];
    const started = Date.now();
    while (Date.now() - started < 700) {
      const reply = await request(app.url, '/probe/visit', { cookie });
      seen.push((reply.json as { isNew: boolean }).isNew);
      await sleep(50);
    }
    expect(seen[0]).toBe(false);
    expect(seen.at(-1)).toBe(true);
    const firstNew = seen.indexOf(true);
    expect(seen.slice(firstNew).every(Boolean)).toBe(true);
  });

  it('13. rolling re-sends the cookie only for an existing session this request used', async () => {
    const app = await start({ session: { rolling: true, cookie: { maxAge: 60_000 } } });
    const fresh = await request(app.url, '/probe/read');
    expect(fresh.setCookies).toEqual([]);
    const created = await request(app.url, '/probe/visit');
    expect(created.setCookies).toHaveLength(1);
    const used = await request(app.url, '/probe/read', { cookie: created.sessionCookie });
    expect(used.sessionCookie).toBe(created.sessionCookie);
    const unused = await request(app.url, '/probe/none', { cookie: created.sessionCookie });
    expect(unused.setCookies).toEqual([]);
  });

  it('13. without rolling an unchanged existing session gets no cookie', async () => {
    const app = await start({ session: { cookie: { maxAge: 60_000 } } });
    const created = await request(app.url, '/probe/visit');
    const used = await request(app.url, '/probe/read', { cookie: created.sessionCookie });
    expect(used.setCookies).toEqual([]);
  });

  it('14. regenerate() issues a new id, deletes the old entry, and can keep the data', async () => {
    const app = await start();
    const created = await request(app.url, '/probe/write?k=user&v=ann');
    const oldId = (created.json as { id: string }).id;
    const kept = await request(app.url, '/probe/regenerate?keep=1', { cookie: created.sessionCookie });
    const keptBody = kept.json as { id: string; data: Record<string, unknown> };
    expect(keptBody.id).not.toBe(oldId);
    expect(keptBody.data).toEqual({ user: 'ann', regenerated: true });
    expect(await app.store.inner.get(oldId)).toBeUndefined();
    expect((await request(app.url, '/probe/read', { cookie: created.sessionCookie })).json).toMatchObject({
      isNew: true,
      data: {},
    });
    const next = await request(app.url, '/probe/read', { cookie: kept.sessionCookie });
    expect(next.json).toMatchObject({ id: keptBody.id, data: { user: 'ann', regenerated: true } });

    const dropped = await request(app.url, '/probe/regenerate', { cookie: kept.sessionCookie });
    expect((dropped.json as { data: unknown }).data).toEqual({ regenerated: true });
  });

  it('14. destroy() deletes the entry and expires the cookie', async () => {
    const app = await start();
    const created = await request(app.url, '/probe/write?k=user&v=ann');
    const id = (created.json as { id: string }).id;
    const destroyed = await request(app.url, '/probe/destroy', { cookie: created.sessionCookie });
    expect(destroyed.setCookies).toHaveLength(1);
    expect(destroyed.setCookies[0]).toMatch(/^sid=;/);
    expect(destroyed.setCookies[0]).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect(await app.store.inner.get(id)).toBeUndefined();
    const after = await request(app.url, '/probe/read', { cookie: created.sessionCookie });
    expect(after.json).toMatchObject({ isNew: true, data: {} });
  });

  it('14. destroy() on a never-saved session sends no cookie and calls no store', async () => {
    const app = await start();
    const reply = await request(app.url, '/probe/destroy');
    expect(reply.status).toBe(200);
    expect(reply.setCookies).toEqual([]);
    expect(app.store.total).toBe(0);
  });

  it('reload() drops unsaved changes and reads the store again', async () => {
    const app = await start();
    const created = await request(app.url, '/probe/write?k=user&v=ann');
    const reloaded = await request(app.url, '/probe/reload', { cookie: created.sessionCookie });
    expect(reloaded.json).toMatchObject({ data: { user: 'ann' } });
    expect(app.store.calls.patch).toBe(0);
  });

  it('touch() extends the store lifetime without writing data', async () => {
    // The read comes after the first expiry (1 000 + 1 000 ms > 1 500 ms) and only the touch keeps
    // the session alive; each step has 500 ms to spare, so a loaded machine cannot turn it around.
    const app = await start({ session: { idleTimeout: 1_500 } });
    const created = await request(app.url, '/probe/write?k=user&v=ann');
    app.store.reset();
    await sleep(1_000);
    await request(app.url, '/probe/touch', { cookie: created.sessionCookie });
    expect(app.store.calls).toMatchObject({ touch: 1, set: 0, patch: 0 });
    await sleep(1_000);
    expect((await request(app.url, '/probe/read', { cookie: created.sessionCookie })).json).toMatchObject({
      isNew: false,
      data: { user: 'ann' },
    });
  });
});
