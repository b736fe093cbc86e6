import { describe, expect, it } from '@jest/globals';
import { SequenceTracker, type SequenceTrackerSettings } from './sequence-tracker.js';

const SETTINGS: SequenceTrackerSettings = {
  lateMs: 1_000,
  forgetAfterMs: 60_000,
  maxSenders: 100,
  maxWaiting: 100,
};

function tracker(settings: Partial<SequenceTrackerSettings> = {}): SequenceTracker {
  return new SequenceTracker({ ...SETTINGS, ...settings });
}

describe('SequenceTracker', () => {
  it('counts nothing while a sender is heard in order, from whatever number it is at', () => {
    const t = tracker();
    for (let seq = 41; seq <= 50; seq++) t.observe({ senderId: 'a', seq }, 0);
    t.sweep(10_000);
    expect(t.gaps).toBe(0);
  });

  it('counts each skipped number once it has waited lateMs in vain', () => {
    const t = tracker();
    t.observe({ senderId: 'a', seq: 1 }, 0);
    t.observe({ senderId: 'a', seq: 5 }, 100);
    t.sweep(1_099);
    expect(t.gaps).toBe(0);
    t.sweep(1_100);
    expect(t.gaps).toBe(3);
    t.sweep(5_000);
    expect(t.gaps).toBe(3);
  });

  it('counts nothing for numbers that arrive late (out of order), and drops those that come twice', () => {
    const t = tracker();
    const arrivals = [1, 4, 2, 3, 3, 4, 5].map((seq, index) => t.observe({ senderId: 'a', seq }, index * 10));
    expect(arrivals).toEqual([true, true, true, true, false, false, true]);
    t.sweep(10_000);
    expect(t.gaps).toBe(0);
  });

  it('drops a number that arrives after it was counted missing (the count stays true)', () => {
    const t = tracker();
    t.observe({ senderId: 'a', seq: 1 }, 0);
    t.observe({ senderId: 'a', seq: 3 }, 0);
    t.sweep(1_000);
    expect(t.gaps).toBe(1);
    expect(t.observe({ senderId: 'a', seq: 2 }, 1_500)).toBe(false);
    expect(t.gaps).toBe(1);
  });

  it('keeps senders apart', () => {
    const t = tracker();
    t.observe({ senderId: 'a', seq: 1 }, 0);
    t.observe({ senderId: 'b', seq: 7 }, 0);
    t.observe({ senderId: 'a', seq: 2 }, 0);
    t.observe({ senderId: 'b', seq: 9 }, 0);
    t.sweep(2_000);
    expect(t.gaps).toBe(1);
  });

  it('counts the excess of a huge jump at once, and keeps at most maxWaiting numbers waiting', () => {
    const t = tracker({ maxWaiting: 10 });
    t.observe({ senderId: 'a', seq: 1 }, 0);
    t.observe({ senderId: 'a', seq: 1_000_001 }, 0);
    expect(t.gaps).toBe(999_989);
    t.observe({ senderId: 'a', seq: 1_000_000 }, 1);
    t.sweep(2_000);
    expect(t.gaps).toBe(999_998);
  });

  it('forgets senders silent for forgetAfterMs, counting what they still owed', () => {
    const t = tracker({ forgetAfterMs: 5_000, lateMs: 10_000 });
    t.observe({ senderId: 'a', seq: 1 }, 0);
    t.observe({ senderId: 'a', seq: 3 }, 0);
    t.observe({ senderId: 'b', seq: 1 }, 4_000);
    t.sweep(5_000);
    expect(t.senderCount).toBe(1);
    expect(t.gaps).toBe(1);
    // A forgotten sender starts over: its next packet is a new baseline.
    t.observe({ senderId: 'a', seq: 10 }, 6_000);
    t.sweep(6_000);
    expect(t.gaps).toBe(1);
  });

  it('remembers at most maxSenders, forgetting the one silent longest', () => {
    const t = tracker({ maxSenders: 3 });
    for (const senderId of ['a', 'b', 'c']) t.observe({ senderId, seq: 1 }, 0);
    t.observe({ senderId: 'a', seq: 2 }, 1);
    t.observe({ senderId: 'd', seq: 1 }, 2);
    expect(t.senderCount).toBe(3);
    // 'b' was forgotten: its jump is a new baseline; 'a' was kept: its jump is a gap.
    t.observe({ senderId: 'b', seq: 5 }, 3);
    t.observe({ senderId: 'a', seq: 4 }, 3);
    t.sweep(2_000);
    expect(t.gaps).toBe(1);
    expect(t.senderCount).toBe(3);
  });
});
