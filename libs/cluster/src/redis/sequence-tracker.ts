import { type PacketStamp } from './redis-packet.js';

/** How a {@link SequenceTracker} bounds its waiting and its memory. */
export interface SequenceTrackerSettings {
  /** How long a skipped sequence number may still arrive (out of order) before it counts missing. */
  readonly lateMs: number;
  /** A sender not heard from for this long is forgotten. */
  readonly forgetAfterMs: number;
  /** Most senders remembered; past it, the one silent longest is forgotten. */
  readonly maxSenders: number;
  /** Most skipped numbers waiting per sender; a bigger jump counts the rest missing at once. */
  readonly maxWaiting: number;
}

interface Sender {
  /** Highest sequence number seen. */
  highest: number;
  /** When it was last heard from (epoch ms). */
  lastSeen: number;
  /** Skipped numbers that may still arrive late, with when they were skipped, oldest first. */
  readonly waiting: Map<number, number>;
}

/**
 * Counts the broadcasts that never arrived, from the senders' sequence numbers: a number skipped
 * and still absent `lateMs` later counts as one missing broadcast (a gap). Out-of-order arrivals
 * within `lateMs` count nothing; duplicates, and arrivals later than that, are to be dropped (so
 * each broadcast is delivered at most once, and a gap counted is a broadcast never delivered). A sender's first packet seen here starts its count
 * (what it sent before is not ours to miss). Memory is bounded: senders silent for
 * `forgetAfterMs`, or beyond `maxSenders`, are forgotten, and at most `maxWaiting` numbers wait
 * per sender.
 */
export class SequenceTracker {
  private readonly senders = new Map<string, Sender>();
  private missing = 0;

  /** @param settings - the bounds. */
  constructor(private readonly settings: SequenceTrackerSettings) {}

  /** Broadcasts found missing so far. */
  get gaps(): number {
    return this.missing;
  }

  /** Senders remembered now. */
  get senderCount(): number {
    return this.senders.size;
  }

  /**
   * Takes the stamp of a packet that arrived at `now`; `false` when that packet must be dropped:
   * it arrived before (a duplicate), or so late that it was already counted missing.
   */
  observe(stamp: PacketStamp, now: number): boolean {
    const sender = this.senders.get(stamp.senderId);
    if (!sender) {
      this.remember(stamp.senderId, { highest: stamp.seq, lastSeen: now, waiting: new Map() });
      return true;
    }
    // Re-inserted, so the map stays ordered from the longest silent sender to the latest heard.
    this.senders.delete(stamp.senderId);
    this.senders.set(stamp.senderId, sender);
    sender.lastSeen = now;
    if (stamp.seq <= sender.highest) return sender.waiting.delete(stamp.seq); // late, or seen already
    const skipped = stamp.seq - sender.highest - 1;
    const waits = Math.min(skipped, Math.max(0, this.settings.maxWaiting - sender.waiting.size));
    for (let seq = stamp.seq - waits; seq < stamp.seq; seq++) sender.waiting.set(seq, now);
    this.missing += skipped - waits;
    sender.highest = stamp.seq;
    return true;
  }

  /** Counts the numbers that waited `lateMs` in vain, and forgets senders silent too long. */
  sweep(now: number): void {
    for (const [senderId, sender] of this.senders) {
      for (const [seq, skippedAt] of sender.waiting) {
        if (now - skippedAt < this.settings.lateMs) break;
        sender.waiting.delete(seq);
        this.missing++;
      }
      if (now - sender.lastSeen >= this.settings.forgetAfterMs) this.forget(senderId, sender);
    }
  }

  private remember(senderId: string, sender: Sender): void {
    while (this.senders.size >= this.settings.maxSenders) {
      const [oldestId, oldest] = this.senders.entries().next().value ?? [];
      if (oldestId === undefined || oldest === undefined) break;
      this.forget(oldestId, oldest);
    }
    this.senders.set(senderId, sender);
  }

  private forget(senderId: string, sender: Sender): void {
    this.missing += sender.waiting.size;
    this.senders.delete(senderId);
  }
}
