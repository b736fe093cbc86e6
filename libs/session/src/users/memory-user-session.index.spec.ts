import { describe, expect, it } from '@jest/globals';
import { MemorySessionStore } from '../stores/memory-session.store.js';
import { sessionHandle } from './session-handle.js';
import type { UserSessionEntry } from './user-session-index.interface.js';

const record = { data: { user: 'ann' }, createdAt: 1 };

function entryFor(id: string, expiresAt = Date.now() + 60_000): UserSessionEntry {
  const now = Date.now();
  return {
    handle: sessionHandle(id),
    sessionId: id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    userAgent: 'ua',
  };
}

const id = (n: number): string => `session-${String(n).padStart(12, '0')}`;

describe('the memory store’s per-user index', () => {
  it('adds, lists, renews and removes entries; seen never re-adds one', async () => {
    const store = new MemorySessionStore({ sweepIntervalMs: 0 });
    const index = store.userIndex;
    await index.add('ann', entryFor(id(1)));
    await index.add('ann', entryFor(id(2)));
    expect((await index.list('ann')).map((e) => e.sessionId).sort()).toEqual([id(1), id(2)]);
    await index.seen('ann', sessionHandle(id(1)), 42, Date.now() + 90_000);
    expect((await index.list('ann')).find((e) => e.sessionId === id(1))?.lastSeenAt).toBe(42);
    await index.remove('ann', [sessionHandle(id(1))]);
    await index.seen('ann', sessionHandle(id(1)), 43, Date.now() + 90_000);
    expect((await index.list('ann')).map((e) => e.sessionId)).toEqual([id(2)]);
    expect(await index.list('nobody')).toEqual([]);
  });

  it('an entry goes with its session: destroyed, expired, evicted or cleared', async () => {
    const store = new MemorySessionStore({ maxSessions: 2, sweepIntervalMs: 0 });
    const index = store.userIndex;
    for (const n of [1, 2]) {
      store.setNow(id(n), record, 60_000);
      await index.add('ann', entryFor(id(n)));
    }
    await store.destroy(id(1));
    expect((await index.list('ann')).map((e) => e.sessionId)).toEqual([id(2)]);

    store.setNow(id(3), record, 60_000);
    await index.add('ann', entryFor(id(3)));
    store.setNow(id(4), record, 60_000); // evicts id(2), the least recently used
    expect(store.evictedCount).toBe(1);
    expect((await index.list('ann')).map((e) => e.sessionId)).toEqual([id(3)]);

    store.setNow(id(5), record, 1); // evicts id(3)
    expect((await index.list('ann')).map((e) => e.sessionId)).toEqual([]);
    await index.add('bob', entryFor(id(5)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    store.sweep();
    expect(await index.list('bob')).toEqual([]);
    expect(index.size).toBe(0);

    store.setNow(id(6), record, 60_000);
    await index.add('ann', entryFor(id(6)));
    expect(index.size).toBe(1);
    await store.clear();
    expect(index.size).toBe(0);
  });

  it('an entry past its expiry is never listed, and the sweep drops it without a list', async () => {
    const store = new MemorySessionStore({ sweepIntervalMs: 0 });
    const index = store.userIndex;
    await index.add('ann', entryFor(id(7), Date.now() - 1));
    await index.add('ann', entryFor(id(8), Date.now() - 1));
    expect(index.size).toBe(2);
    store.sweep();
    expect(index.size).toBe(0);
    await index.add('ann', entryFor(id(9), Date.now() - 1));
    expect(await index.list('ann')).toEqual([]);
  });

  it('a session that changes hands leaves its old user’s entries', async () => {
    const store = new MemorySessionStore({ sweepIntervalMs: 0 });
    await store.userIndex.add('ann', entryFor(id(10)));
    await store.userIndex.add('bob', entryFor(id(10)));
    expect(await store.userIndex.list('ann')).toEqual([]);
    expect(await store.userIndex.list('bob')).toHaveLength(1);
  });
});

describe('session handles', () => {
  it('are 22 base64url characters, stable per id, and never contain the id', () => {
    const a = sessionHandle(id(1));
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sessionHandle(id(1))).toBe(a);
    expect(sessionHandle(id(2))).not.toBe(a);
    expect(a).not.toContain(id(1).slice(0, 8));
  });
});
