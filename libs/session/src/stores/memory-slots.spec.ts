import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { MemorySlots, NO_SLOT } from './memory-slots.js';

afterEach(() => {
  jest.restoreAllMocks();
});

/** Claims a slot for `id` and fills it, expiring `ttl` ms from now. */
function put(slots: MemorySlots, id: string, ttl = 60_000): number {
  const slot = slots.claim(id);
  slots.setJson(slot, JSON.stringify({ id }));
  slots.setMaxAge(slot, undefined);
  slots.setCreatedAt(slot, 1);
  slots.setExpiresAt(slot, Date.now() + ttl);
  return slot;
}

describe('MemorySlots', () => {
  it('keeps each entry’s fields in its slot and finds it by id', () => {
    const slots = new MemorySlots(10);
    const a = put(slots, 'a');
    slots.setMaxAge(a, 5);
    expect(slots.live('a')).toBe(a);
    expect([slots.json(a), slots.maxAge(a), slots.createdAt(a)]).toEqual(['{"id":"a"}', 5, 1]);
    expect(slots.live('b')).toBe(NO_SLOT);
    expect(slots.claim('a')).toBe(a);
    expect(slots.size).toBe(1);
  });

  it('evicts the least recently used entry when full, and reuses its slot', () => {
    const slots = new MemorySlots(2);
    const a = put(slots, 'a');
    put(slots, 'b');
    slots.markUsed(a);
    const c = put(slots, 'c');
    expect(slots.live('b')).toBe(NO_SLOT);
    expect(slots.live('a')).toBe(a);
    expect(c).not.toBe(a);
    expect([slots.size, slots.capacity, slots.evictedCount]).toEqual([2, 2, 1]);
  });

  it('reads an expired entry as absent and frees its slot for the next one', () => {
    const clock = { now: 1_000 };
    jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
    const slots = new MemorySlots(10);
    const a = put(slots, 'a', 100);
    clock.now += 100;
    expect(slots.live('a')).toBe(NO_SLOT);
    expect(put(slots, 'b')).toBe(a);
    expect(slots.capacity).toBe(1);
  });

  it('packs the arrays once a sweep leaves three quarters of them free, keeping the recency order', () => {
    const clock = { now: 1_000 };
    jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
    const slots = new MemorySlots(1_000);
    for (let i = 0; i < 100; i++) put(slots, `s${i}`, i < 90 ? 10 : 1_000);
    clock.now += 10;
    slots.sweep();
    expect([slots.size, slots.capacity]).toEqual([10, 10]);
    put(slots, 'new');
    // The oldest survivor (s90) goes first when the store is full.
    const full = new MemorySlots(1);
    put(full, 'x');
    put(full, 'y');
    expect(full.live('x')).toBe(NO_SLOT);
    slots.clear();
    expect([slots.size, slots.capacity]).toEqual([0, 0]);
  });

  it('sweeps in bounded steps to the same end as one pass, while entries come and go between the steps', () => {
    const removed: string[] = [];
    const slots = new MemorySlots(10_000, (id, reason) => removed.push(`${reason}:${id}`));
    for (let i = 0; i < 1_000; i++) put(slots, `e${i}`, i % 2 === 0 ? -1 : 60_000);
    const now = Date.now();
    const cursor = slots.sweepCursor();
    let steps = 0;
    while (!slots.sweepStep(cursor, 100, now)) {
      steps++;
      // Between steps: an entry still ahead is removed by its owner, and new ones arrive.
      if (steps === 3) {
        slots.remove('e999');
        put(slots, `new${steps}`);
      }
    }
    expect(steps).toBeGreaterThanOrEqual(10);
    expect(slots.size).toBe(500);
    expect(removed.filter((entry) => entry.startsWith('expired:'))).toHaveLength(500);
    expect(removed).toContain('removed:e999');
    expect(slots.live('e1')).not.toBe(NO_SLOT);
    expect(slots.live('new3')).not.toBe(NO_SLOT);
    // Half of the slots are free: not sparse enough to pack the arrays.
    expect(slots.capacity).toBe(1_000);
  });
});
