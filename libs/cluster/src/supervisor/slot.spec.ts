import { describe, expect, it } from '@jest/globals';
import { createSlots } from './slot.js';

describe('createSlots', () => {
  it('makes N empty slots, each with a restart policy of its own', () => {
    const slots = createSlots(3, {
      maxRestarts: 2,
      windowMs: 1_000,
      initialDelayMs: 10,
      maxDelayMs: 100,
      factor: 2,
      stableAfterMs: 500,
    });
    expect(slots.map((slot) => slot.index)).toEqual([0, 1, 2]);
    for (const slot of slots) {
      expect(slot).toMatchObject({
        current: undefined,
        replacement: undefined,
        dead: false,
        lastFailure: undefined,
      });
    }
    expect(new Set(slots.map((slot) => slot.policy)).size).toBe(3);
  });
});
