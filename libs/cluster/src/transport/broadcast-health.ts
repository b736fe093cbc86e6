import { type BroadcastTransportStats } from './broadcast-transport.js';

/** Something whose broadcast transport counters can be read: an endpoint, a transport. */
export interface BroadcastStatsSource {
  /** Its transport's counters so far. */
  transportStats(): BroadcastTransportStats;
}

/** The broadcast transports of one process, summed: what `@nest-hive/cluster/metrics` reports. */
export interface BroadcastHealthSnapshot {
  /** Transports degraded now. */
  readonly degraded: number;
  /** Resubscriptions forced by their self-checks. */
  readonly resubscribes: number;
  /** Broadcasts found missing. */
  readonly gaps: number;
}

/**
 * Sums the counters of the broadcast transports of one process. A source that leaves (its app
 * closed) keeps counting in the totals, so the counters never go down.
 */
export class BroadcastHealthTally {
  private readonly live = new Set<BroadcastStatsSource>();
  private retiredResubscribes = 0;
  private retiredGaps = 0;

  /** Counts `source` until the returned function is called. */
  track(source: BroadcastStatsSource): () => void {
    this.live.add(source);
    return () => {
      if (!this.live.delete(source)) return;
      const last = source.transportStats();
      this.retiredResubscribes += last.resubscribes;
      this.retiredGaps += last.gaps;
    };
  }

  /** The current sums. */
  snapshot(): BroadcastHealthSnapshot {
    let degraded = 0;
    let resubscribes = this.retiredResubscribes;
    let gaps = this.retiredGaps;
    for (const source of this.live) {
      const stats = source.transportStats();
      if (stats.degraded) degraded++;
      resubscribes += stats.resubscribes;
      gaps += stats.gaps;
    }
    return { degraded, resubscribes, gaps };
  }
}
