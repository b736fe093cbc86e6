import { describe, expect, it } from '@jest/globals';
import type { StoredSessionRecord } from '../session-record.interface.js';
import { SessionReadCache } from './session-read-cache.js';

const WALL = 1_000_000;

function record(n: number, expiresAt = WALL + 60_000): StoredSessionRecord {
  return { data: { n }, createdAt: WALL - 1_000, expiresAt };
}

function setUp(maxEntries = 100): { cache: SessionReadCache; clock: { now: number } } {
  const clock = { now: 0 };
  const cache = new SessionReadCache({ maxEntries, now: () => clock.now });
  cache.granted(0, 1_000);
  return { cache, clock };
}

/** Reads `id` through the cache's bookkeeping: a read that the primary answers with `answer`. */
function fetched(cache: SessionReadCache, id: string, answer: StoredSessionRecord | undefined): boolean {
  return cache.finishRead(id, cache.startRead(id), answer);
}

describe('SessionReadCache', () => {
  it('serves a copy it read, under its lease only', () => {
    const { cache, clock } = setUp();
    expect(cache.lookup('a', WALL)).toBeUndefined();
    expect(fetched(cache, 'a', record(1))).toBe(true);
    expect(cache.lookup('a', WALL)).toEqual(record(1));
    clock.now = 1_000;
    expect(cache.leased).toBe(false);
    expect(cache.lookup('a', WALL)).toBeUndefined();
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 1 });
  });

  it('hands out a new object each time: changing one changes neither the copy nor the answer it came from', () => {
    const { cache } = setUp();
    const answer: StoredSessionRecord = { ...record(1), data: { cart: [1] }, cookie: { maxAge: 5 } };
    fetched(cache, 'a', answer);
    (answer.data.cart as number[]).push(2);
    const first = cache.lookup('a', WALL) as StoredSessionRecord;
    (first.data.cart as number[]).push(3);
    if (first.cookie) first.cookie.maxAge = 7;
    expect(cache.lookup('a', WALL)).toEqual({ ...record(1), data: { cart: [1] }, cookie: { maxAge: 5 } });
  });

  it('keeps nothing without a lease, and nothing absent', () => {
    const cache = new SessionReadCache({ maxEntries: 10, now: () => 0 });
    expect(fetched(cache, 'a', record(1))).toBe(false);
    cache.granted(0, 1_000);
    expect(fetched(cache, 'b', undefined)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('does not keep an answer overtaken by an invalidation of its id, or of everything', () => {
    const { cache } = setUp();
    const first = cache.startRead('a');
    cache.invalidate(['a']);
    expect(cache.finishRead('a', first, record(1))).toBe(false);
    const second = cache.startRead('a');
    cache.invalidate(['other']);
    expect(cache.finishRead('a', second, record(2))).toBe(true);
    const third = cache.startRead('b');
    cache.invalidateAll();
    expect(cache.finishRead('b', third, record(3))).toBe(false);
    // A read that starts after the invalidation is kept.
    expect(fetched(cache, 'a', record(4))).toBe(true);
    expect(cache.lookup('a', WALL)).toEqual(record(4));
  });

  it('of two reads in flight, the one started before an invalidation is dropped, the later one kept', () => {
    const { cache } = setUp();
    const early = cache.startRead('a');
    cache.invalidate(['a']);
    const late = cache.startRead('a');
    expect(cache.finishRead('a', late, record(2))).toBe(true);
    expect(cache.finishRead('a', early, record(1))).toBe(false);
    expect(cache.lookup('a', WALL)).toEqual(record(2));
  });

  it('treats an expired copy as a miss (the session may have been touched elsewhere)', () => {
    const { cache } = setUp();
    fetched(cache, 'a', record(1, WALL + 10));
    expect(cache.lookup('a', WALL + 10)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.released(10)).toEqual(['a']);
  });

  it('extends a copy after its own touch, never shortens it', () => {
    const { cache } = setUp();
    fetched(cache, 'a', record(1, WALL + 10));
    cache.extend('a', WALL + 5);
    cache.extend('a', WALL + 500);
    expect(cache.lookup('a', WALL + 100)?.expiresAt).toBe(WALL + 500);
    cache.extend('absent', WALL + 500);
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries, least recently used out; hands back evicted ids it does not hold or read', () => {
    const { cache } = setUp(3);
    for (const id of ['a', 'b', 'c']) fetched(cache, id, record(1));
    cache.lookup('a', WALL); // a is now the most recent
    fetched(cache, 'd', record(1)); // evicts b
    fetched(cache, 'e', record(1)); // evicts c
    expect(cache.size).toBe(3);
    expect(cache.lookup('b', WALL)).toBeUndefined();
    fetched(cache, 'c', record(2)); // c read again: held, evicts a
    const pending = cache.startRead('a'); // a in flight again
    expect(cache.released(10)).toEqual(['b']);
    cache.finishRead('a', pending, undefined);
    expect(cache.released(10)).toEqual([]);
  });

  it('drops every copy when a lease comes after the last one ran out', () => {
    const { cache, clock } = setUp();
    fetched(cache, 'a', record(1));
    clock.now = 900;
    cache.granted(800, 1_000); // renewed in time: copies stay
    expect(cache.lookup('a', WALL)).toEqual(record(1));
    clock.now = 2_000;
    cache.granted(1_900, 1_000); // the lease had run out at 1 800
    expect(cache.size).toBe(0);
  });

  it('revoke ends the lease and drops every copy', () => {
    const { cache } = setUp();
    fetched(cache, 'a', record(1));
    cache.revoke();
    expect(cache.leased).toBe(false);
    expect(cache.size).toBe(0);
  });
});
