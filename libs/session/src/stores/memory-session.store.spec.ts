import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import { isImmediateSessionStore, type SessionStore } from '../session-store.interface.js';
import { SessionRuntime } from '../core/session-runtime.js';
import { resolveSessionConfig } from '../session-config.js';
import { MemorySessionStore } from './memory-session.store.js';
import type { MemorySlots } from './memory-slots.js';

const record = (data: Record<string, unknown>) => ({ data, createdAt: Date.now() });

/** Slots the store's arrays hold, live or free (read from its private state). */
const slotCount = (store: MemorySessionStore): number =>
  (store as unknown as { records: { slots: MemorySlots } }).records.slots.capacity;

/** Makes `Date.now()` return `clock.now`, until the spies are restored. */
function fakeClock(start: number): { now: number } {
  const clock = { now: start };
  jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  return clock;
}

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * below);
  };
}

/**
 * The store's rules written as plainly as possible: a `Map` whose insertion
 * order is the recency order (least recently used first).
 */
class ReferenceStore {
  readonly entries = new Map<string, StoredSessionRecord>();
  evictions = 0;

  constructor(private readonly maxSessions: number) {}

  get(id: string, now: number): StoredSessionRecord | undefined {
    const entry = this.live(id, now);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return structuredClone(entry);
  }

  set(id: string, value: SessionRecord, ttlMs: number, now: number): void {
    this.entries.delete(id);
    const entry: StoredSessionRecord = {
      data: structuredClone(value.data),
      createdAt: value.createdAt,
      expiresAt: now + ttlMs,
    };
    if (value.cookie?.maxAge !== undefined) entry.cookie = { maxAge: value.cookie.maxAge };
    this.entries.set(id, entry);
    while (this.entries.size > this.maxSessions) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.evictions++;
    }
  }

  patch(id: string, patch: SessionPatch, ttlMs: number, now: number): boolean {
    const entry = this.live(id, now);
    if (!entry) return false;
    Object.assign(entry.data, structuredClone(patch.set));
    for (const key of patch.unset) delete entry.data[key];
    entry.expiresAt = now + ttlMs;
    if (patch.cookie?.maxAge === undefined) {
      if (patch.cookie) delete entry.cookie;
    } else entry.cookie = { maxAge: patch.cookie.maxAge };
    this.entries.delete(id);
    this.entries.set(id, entry);
    return true;
  }

  touch(id: string, ttlMs: number, now: number): void {
    const entry = this.live(id, now);
    if (!entry) return;
    entry.expiresAt = now + ttlMs;
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }

  private live(id: string, now: number): StoredSessionRecord | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }
}

describe('MemorySessionStore', () => {
  const stores: MemorySessionStore[] = [];
  const make = (...args: ConstructorParameters<typeof MemorySessionStore>): MemorySessionStore => {
    const store = new MemorySessionStore(...args);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    jest.restoreAllMocks();
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

  it('expires an entry at the exact millisecond, and keeps its timestamps exactly', async () => {
    const clock = fakeClock(1_700_000_000_000);
    const store = make({ sweepIntervalMs: 0 });
    await store.set('a', { data: {}, createdAt: 1_699_999_999_999.5 }, 1_000);
    await store.set('b', { data: {}, createdAt: 0 }, 0.25);
    expect((await store.get('b'))?.expiresAt).toBe(1_700_000_000_000.25);
    clock.now += 1;
    expect(await store.get('b')).toBeUndefined();
    clock.now += 998;
    expect(await store.get('a')).toEqual({
      data: {},
      createdAt: 1_699_999_999_999.5,
      expiresAt: 1_700_000_001_000,
    });
    clock.now += 1;
    expect(await store.get('a')).toBeUndefined();

    await store.set('c', record({}), 10);
    clock.now += 9;
    await store.touch('c', 10);
    clock.now += 9;
    expect(await store.patch('c', { set: { x: 1 }, unset: [] }, 10)).toBe(true);
    clock.now += 9;
    expect((await store.get('c'))?.expiresAt).toBe(clock.now + 1);
    clock.now += 1;
    store.sweep();
    expect(await store.length()).toBe(0);
  });

  it('reuses the slot of a destroyed, evicted or swept session, with nothing left of its former occupant', async () => {
    const clock = fakeClock(1_000_000);
    const store = make({ maxSessions: 3, sweepIntervalMs: 0 });
    await store.set('old', { data: { secret: 1 }, createdAt: 5, cookie: { maxAge: 42 } }, 60_000);
    await store.destroy('old');
    await store.set('new', { data: { fresh: true }, createdAt: 7 }, 60_000);
    expect(slotCount(store)).toBe(1);
    expect(await store.get('new')).toEqual({ data: { fresh: true }, createdAt: 7, expiresAt: 1_060_000 });

    for (let i = 0; i < 10; i++)
      await store.set(`e${i}`, { ...record({ i }), cookie: { maxAge: i } }, 60_000);
    expect(slotCount(store)).toBe(3);
    expect(store.evictedCount).toBe(8);
    expect(await store.get('new')).toBeUndefined();
    expect((await store.get('e7'))?.cookie).toEqual({ maxAge: 7 });
    expect((await store.get('e9'))?.data).toEqual({ i: 9 });

    clock.now += 60_000;
    store.sweep();
    expect(await store.length()).toBe(0);
    for (const id of ['x', 'y', 'z']) await store.set(id, record({ id }), 60_000);
    expect(slotCount(store)).toBe(3);
    expect(store.evictedCount).toBe(8);
    for (const id of ['x', 'y', 'z']) expect(await store.get(id)).toMatchObject({ data: { id } });
    expect((await store.get('x'))?.cookie).toBeUndefined();
  });

  it('grows its slot arrays past their first size, never past maxSessions, keeping the recency order', async () => {
    const store = make({ maxSessions: 5_000, sweepIntervalMs: 0 });
    for (let i = 0; i < 5_000; i++) await store.set(`s${i}`, record({ i }), 600_000);
    expect(slotCount(store)).toBe(5_000);
    // Use the even sessions, so the odd ones become the least recently used, oldest first.
    for (let i = 0; i < 5_000; i += 2) expect((await store.get(`s${i}`))?.data).toEqual({ i });
    for (let i = 0; i < 2_500; i++) await store.set(`t${i}`, record({ t: i }), 600_000);
    expect(slotCount(store)).toBe(5_000);
    expect(store.evictedCount).toBe(2_500);
    for (let i = 1; i < 5_000; i += 2) expect(await store.get(`s${i}`)).toBeUndefined();
    for (let i = 0; i < 5_000; i += 2) expect((await store.get(`s${i}`))?.data).toEqual({ i });
    await store.set('last', record({}), 600_000);
    expect(await store.get('t0')).toBeUndefined();
    expect(await store.get('t1')).toBeDefined();
  });

  it('packs its slot arrays when a sweep leaves most slots free, keeping data and recency order', async () => {
    const clock = fakeClock(1_000_000);
    const store = make({ maxSessions: 1_000, sweepIntervalMs: 0 });
    for (let i = 0; i < 1_000; i++) await store.set(`s${i}`, record({ i }), i % 100 === 0 ? 60_000 : 1_000);
    clock.now += 1_000;
    store.sweep();
    expect(slotCount(store)).toBe(10);
    // Most recently used first, so s0 becomes the newest; s100 is now the oldest.
    await store.touch('s0', 60_000);
    for (let i = 0; i < 990; i++) await store.set(`n${i}`, record({ n: i }), 60_000);
    expect(await store.length()).toBe(1_000);
    await store.set('over', record({}), 60_000);
    expect(await store.get('s100')).toBeUndefined();
    for (let i = 200; i < 1_000; i += 100) expect((await store.get(`s${i}`))?.data).toEqual({ i });
    expect((await store.get('s0'))?.data).toEqual({ i: 0 });
  });

  it('clears and then works as new', async () => {
    const store = make({ maxSessions: 2, sweepIntervalMs: 0 });
    await store.set('a', record({}), 60_000);
    await store.set('b', record({}), 60_000);
    await store.clear();
    expect(await store.get('a')).toBeUndefined();
    await store.set('c', record({ c: 1 }), 60_000);
    await store.set('d', record({ d: 1 }), 60_000);
    expect(store.evictedCount).toBe(0);
    expect(await store.length()).toBe(2);
    await store.set('e', record({}), 60_000);
    expect(await store.get('c')).toBeUndefined();
    expect(store.evictedCount).toBe(1);
  });

  it('matches a plain reference model over 10 000 random operations (LRU order, expiry, eviction, sweep)', async () => {
    const clock = fakeClock(1_000_000);
    const next = random(7);
    const store = make({ maxSessions: 100, sweepIntervalMs: 0 });
    const model = new ReferenceStore(100);
    const maxAges = [undefined, null, 0, 1_234, 2 ** 40 + 0.5];
    for (let step = 0; step < 10_000; step++) {
      clock.now += next(3);
      const id = `s${next(300)}`;
      const ttl = 1 + next(2_000);
      const op = next(100);
      if (op < 30) {
        const maxAge = maxAges[next(maxAges.length)];
        const value: SessionRecord = { data: { step }, createdAt: clock.now - next(1_000) };
        if (maxAge !== undefined) value.cookie = { maxAge };
        await store.set(id, value, ttl);
        model.set(id, value, ttl, clock.now);
      } else if (op < 65) {
        expect(await store.get(id)).toEqual(model.get(id, clock.now));
      } else if (op < 78) {
        const patch: SessionPatch = { set: { [`k${next(3)}`]: step }, unset: next(2) ? ['step'] : [] };
        if (next(4) === 0) patch.cookie = { maxAge: maxAges[next(maxAges.length)] };
        expect(await store.patch(id, patch, ttl)).toBe(model.patch(id, patch, ttl, clock.now));
      } else if (op < 90) {
        await store.touch(id, ttl);
        model.touch(id, ttl, clock.now);
      } else if (op < 97) {
        await store.destroy(id);
        model.entries.delete(id);
      } else {
        store.sweep();
        model.sweep(clock.now);
        expect(await store.length()).toBe(model.entries.size);
      }
      expect(store.evictedCount).toBe(model.evictions);
      expect(slotCount(store)).toBeLessThanOrEqual(100);
    }
    for (const id of [...model.entries.keys()]) expect(await store.get(id)).toEqual(model.get(id, clock.now));
  });
});

describe('MemorySessionStore as an ImmediateSessionStore', () => {
  const id = 'a'.repeat(22);
  const ttl = 60_000;

  it('reads and writes at once, on the same entries its promise methods use', async () => {
    const store = new MemorySessionStore();
    expect(isImmediateSessionStore(store)).toBe(true);
    store.setNow(id, record({ n: 1 }), ttl);
    expect((await store.get(id))?.data).toEqual({ n: 1 });
    await store.set(id, record({ n: 2 }), ttl);
    expect(store.getNow(id)?.data).toEqual({ n: 2 });
    expect(store.patchNow(id, { set: { n: 3 }, unset: [] }, ttl)).toBe(true);
    expect((await store.get(id))?.data).toEqual({ n: 3 });
    expect(store.patchNow('b'.repeat(22), { set: { n: 1 }, unset: [] }, ttl)).toBe(false);
    store.touchNow(id, 5);
    expect(store.getNow(id)?.expiresAt).toBeLessThanOrEqual(Date.now() + 5);
    await store.close();
  });

  it('uses the getNow/patchNow overrides of a subclass in its promise methods and in the session runtime', async () => {
    class CountingStore extends MemorySessionStore {
      gets = 0;
      patches = 0;
      override getNow(sessionId: string): StoredSessionRecord | undefined {
        this.gets++;
        return super.getNow(sessionId);
      }
      override patchNow(sessionId: string, patch: SessionPatch, ttlMs: number): boolean {
        this.patches++;
        return super.patchNow(sessionId, patch, ttlMs);
      }
    }
    const store = new CountingStore({ sweepIntervalMs: 0 });
    await store.set(id, record({ n: 1 }), ttl);
    expect((await store.get(id))?.data).toEqual({ n: 1 });
    expect(await store.patch(id, { set: { n: 2 }, unset: [] }, ttl)).toBe(true);
    expect([store.gets, store.patches]).toEqual([1, 1]);

    const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const runtime = new SessionRuntime(
      resolveSessionConfig({ secret: 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7' }),
      store,
      logger,
    );
    expect(runtime.get(id)).toMatchObject({ data: { n: 2 } });
    const patched = runtime.update(
      id,
      () => ({ set: { n: 3 }, unset: [] }),
      () => record({ n: 3 }),
      ttl,
    );
    expect(patched).toBe(true);
    expect([store.gets, store.patches]).toEqual([2, 2]);
    expect(store.getNow(id)?.data).toEqual({ n: 3 });
  });

  it('is the only kind of store the runtime calls at once', () => {
    const other: SessionStore = {
      get: async () => undefined,
      set: async () => undefined,
      destroy: async () => undefined,
      touch: async () => undefined,
    };
    expect(isImmediateSessionStore(other)).toBe(false);
  });
});
