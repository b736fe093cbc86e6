import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { MemorySessionStore } from './memory-session.store.js';

const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

describe('MemorySessionStore', () => {
  const stores: MemorySessionStore[] = [];
  const make = (...args: ConstructorParameters<typeof MemorySessionStore>): MemorySessionStore => {
    const store = new MemorySessionStore(...args);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('stores, reads back copies, and destroys', async () => {
    const store = make();
    await store.set('a', record({ user: 'ann', cart: { items: [1] } }), 60_000);
    const first = await store.get('a');
    expect(first?.data).toEqual({ user: 'ann', cart: { items: [1] } });
    (first?.data.cart as { items: number[] }).items.push(2);
    expect((await store.get('a'))?.data).toEqual({ user: 'ann', cart: { items: [1] } });
    await store.destroy('a');
    expect(await store.get('a')).toBeUndefined();
    await expect(store.destroy('absent')).resolves.toBeUndefined();
  });

  it('12. treats an expired entry as absent, and touch extends the lifetime', async () => {
    const store = make({ sweepIntervalMs: 0 });
    await store.set('short', record({}), 80);
    await store.set('touched', record({}), 80);
    await sleep(50);
    await store.touch('touched', 200);
    await sleep(60);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('touched')).toBeDefined();
    await store.touch('short', 10_000);
    expect(await store.get('short')).toBeUndefined();
  });

  it('reports when each entry expires', async () => {
    const store = make();
    const before = Date.now();
    await store.set('a', record({}), 5_000);
    const expiresAt = (await store.get('a'))?.expiresAt ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('applies patches key by key, and refuses to patch an absent entry', async () => {
    const store = make();
    await store.set('a', record({ a: 1, b: 2, c: 3 }), 60_000);
    expect(await store.patch('a', { set: { a: 10 }, unset: [] }, 60_000)).toBe(true);
    expect(await store.patch('a', { set: { d: 4 }, unset: ['c'] }, 60_000)).toBe(true);
    expect((await store.get('a'))?.data).toEqual({ a: 10, b: 2, d: 4 });
    expect(await store.patch('missing', { set: { a: 1 }, unset: [] }, 60_000)).toBe(false);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('keeps a __proto__ key as plain data', async () => {
    const store = make();
    await store.set(
      'a',
      record(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>),
      60_000,
    );
    await store.patch(
      'a',
      { set: JSON.parse('{"__proto__": {"again": true}}') as Record<string, unknown>, unset: [] },
      60_000,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).again).toBeUndefined();
    expect(Object.keys((await store.get('a'))?.data ?? {})).toEqual(['__proto__']);
  });

  it('keeps cookie settings with the record', async () => {
    const store = make();
    await store.set('a', { ...record({}), cookie: { maxAge: 1234 } }, 60_000);
    expect((await store.get('a'))?.cookie).toEqual({ maxAge: 1234 });
    await store.patch('a', { set: {}, unset: [], cookie: { maxAge: null } }, 60_000);
    expect((await store.get('a'))?.cookie).toEqual({ maxAge: null });
  });

  it('19. stays at its maxSessions bound under 200 000 created sessions, evicting the least recently used', async () => {
    const store = make({ maxSessions: 1_000, sweepIntervalMs: 0 });
    await store.set('kept', record({ keep: true }), 600_000);
    for (let i = 0; i < 200_000; i++) {
      await store.set(`s${i}`, record({ i }), 600_000);
      if (i % 500 === 0) await store.get('kept');
      if (i % 20_000 === 0) expect(await store.length()).toBeLessThanOrEqual(1_000);
    }
    expect(await store.length()).toBe(1_000);
    expect(store.evictedCount).toBe(200_001 - 1_000);
    expect(await store.get('kept')).toBeDefined();
    expect(await store.get('s0')).toBeUndefined();
    expect(await store.get('s199999')).toBeDefined();
  });

  it('sweeps expired entries on its timer', async () => {
    const store = make({ sweepIntervalMs: 30 });
    await store.set('a', record({}), 10);
    await store.set('b', record({}), 60_000);
    await sleep(80);
    expect(await store.length()).toBe(1);
  });

  it('clears everything', async () => {
    const store = make();
    await store.set('a', record({}), 60_000);
    await store.clear();
    expect(await store.length()).toBe(0);
  });

  it('refuses a maxSessions that is not a positive integer', () => {
    expect(() => new MemorySessionStore({ maxSessions: 0 })).toThrow(/maxSessions/);
  });
});
