import { describe, expect, it } from '@jest/globals';
import { BroadcastHealthTally, type BroadcastStatsSource } from './broadcast-health.js';
import { type BroadcastTransportStats } from './broadcast-transport.js';

/** A source whose counters the test sets. */
function source(stats: BroadcastTransportStats): BroadcastStatsSource & { stats: BroadcastTransportStats } {
  return {
    stats,
    transportStats() {
      return this.stats;
    },
  };
}

describe('BroadcastHealthTally', () => {
  it('sums the live sources: degraded transports, resubscribes and gaps', () => {
    const tally = new BroadcastHealthTally();
    tally.track(source({ degraded: true, resubscribes: 2, gaps: 10 }));
    tally.track(source({ degraded: false, resubscribes: 1, gaps: 5 }));
    expect(tally.snapshot()).toEqual({ degraded: 1, resubscribes: 3, gaps: 15 });
  });

  it('keeps the counts of a source that left (counters never go down), not its degraded state', () => {
    const tally = new BroadcastHealthTally();
    const leaving = source({ degraded: true, resubscribes: 2, gaps: 7 });
    const untrack = tally.track(leaving);
    leaving.stats = { degraded: true, resubscribes: 3, gaps: 9 };
    untrack();
    untrack();
    expect(tally.snapshot()).toEqual({ degraded: 0, resubscribes: 3, gaps: 9 });
  });

  it('is all zero with no source', () => {
    expect(new BroadcastHealthTally().snapshot()).toEqual({ degraded: 0, resubscribes: 0, gaps: 0 });
  });
});
