/**
 * Probes for the Redis broadcast transport under faults: a streamer that publishes numbered
 * packets at a steady pace, and a receiver that records what arrives and the transport's status,
 * so a test can say how long delivery stopped and how many broadcasts were lost.
 */
import { randomBytes } from 'node:crypto';
import { type BroadcastPacket, type BroadcastTransportStatus } from '@nest-hive/cluster';
import { type Subscription } from 'rxjs';
import { type RedisBroadcastTransport } from '../../libs/cluster/src/redis/redis-broadcast.transport.js';
import { waitFor } from '../support/processes.js';

/** Gaps are counted once a skipped number waited `watchdogTimeoutMs` (3 s by default) in vain. */
const GAP_SETTLE_MS = 4_500;

/** A channel no other test uses. */
export function uniqueChannel(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}`;
}

/** A packet numbered `n` from `origin`. */
export function numbered(origin: string, n: number): BroadcastPacket {
  return { id: `${origin}-${n}`, topic: 'probe', payload: { n }, from: 1, origin, includeSelf: false };
}

function numberOf(packet: BroadcastPacket): number | undefined {
  const payload = packet.payload;
  return typeof payload === 'object' && payload !== null && 'n' in payload && typeof payload.n === 'number'
    ? payload.n
    : undefined;
}

/** Records the packets and statuses of one transport. */
export class Receiver {
  /** Arrivals: origin, number and when (epoch ms). */
  readonly arrivals: Array<{ readonly origin: string; readonly n: number; readonly at: number }> = [];
  /** Every status the transport reported, the first one included. */
  readonly statuses: BroadcastTransportStatus[] = [];
  private readonly subscriptions: Subscription[];

  constructor(readonly transport: RedisBroadcastTransport) {
    this.subscriptions = [
      transport.packets$.subscribe((packet) => {
        const n = numberOf(packet);
        if (n !== undefined) this.arrivals.push({ origin: packet.origin, n, at: Date.now() });
      }),
      transport.status$.subscribe((status) => this.statuses.push(status)),
    ];
  }

  /** The numbers received from `origin`, in arrival order. */
  numbersFrom(origin: string): number[] {
    return this.arrivals.filter((arrival) => arrival.origin === origin).map((arrival) => arrival.n);
  }

  /** The states reported so far, e.g. `['healthy', 'degraded', 'healthy']`. */
  states(): string[] {
    return this.statuses.map((status) => status.state);
  }

  /**
   * The longest wait between two arrivals from `origin` after `since`, with when the delivery
   * resumed: how long a fault stopped delivery.
   */
  longestSilence(origin: string, since: number): { readonly ms: number; readonly resumedAt: number } {
    let longest = { ms: 0, resumedAt: since };
    let previous: number | undefined;
    for (const arrival of this.arrivals) {
      if (arrival.origin !== origin || arrival.at < since) continue;
      if (previous !== undefined && arrival.at - previous > longest.ms) {
        longest = { ms: arrival.at - previous, resumedAt: arrival.at };
      }
      previous = arrival.at;
    }
    return longest;
  }

  /** Stops recording. */
  stop(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

/** What a streamer sent. */
export interface StreamReport {
  /** Numbers whose publish resolved. */
  readonly published: readonly number[];
  /** Numbers whose publish rejected (the caller was told). */
  readonly refused: readonly number[];
}

/** Publishes `numbered(origin, 1)`, `2`, … one after the other, every `everyMs`, until stopped. */
export class Streamer {
  readonly origin = `streamer-${randomBytes(3).toString('hex')}`;
  private readonly published: number[] = [];
  private readonly refused: number[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly transport: RedisBroadcastTransport,
    private readonly everyMs = 5,
  ) {}

  /** Starts publishing. */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      for (let n = 1; this.running; n++) {
        await this.transport.publish(numbered(this.origin, n)).then(
          () => this.published.push(n),
          () => this.refused.push(n),
        );
        await new Promise((resolve) => setTimeout(resolve, this.everyMs));
      }
    })();
  }

  /** Stops and reports. */
  async stop(): Promise<StreamReport> {
    this.running = false;
    await this.loop;
    return { published: [...this.published], refused: [...this.refused] };
  }
}

/** The published numbers `receiver` never got from `streamer`. */
export function lost(report: StreamReport, receiver: Receiver, origin: string): number[] {
  const received = new Set(receiver.numbersFrom(origin));
  return report.published.filter((n) => !received.has(n));
}

/** Whether `numbers` only grow. */
export function inOrder(numbers: readonly number[]): boolean {
  return numbers.every((n, index) => index === 0 || n > (numbers[index - 1] ?? 0));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a fault cost, as {@link measureFault} saw it. */
export interface FaultMeasure {
  /** What the streamer sent. */
  readonly report: StreamReport;
  /** Published numbers the receiver never got. */
  readonly missing: readonly number[];
  /** Broadcasts that arrived more than once (at most once means none). */
  readonly duplicates: number;
  /** The longest wait between two arrivals from the fault on (ms). */
  readonly silenceMs: number;
}

/**
 * Lets the stream run `runMs` past the fault (and until delivery is back), stops it, waits for
 * the gap count to settle, and prints one `measured:` line.
 */
export async function measureFault(params: {
  readonly label: string;
  readonly faultAt: number;
  readonly runMs: number;
  readonly receiver: Receiver;
  readonly streamer: Streamer;
}): Promise<FaultMeasure> {
  const { label, faultAt, receiver, streamer } = params;
  await sleep(Math.max(0, faultAt + params.runMs - Date.now()));
  await waitFor(
    'delivery after the fault',
    () => (receiver.arrivals.some((arrival) => arrival.at > Date.now() - 300) ? true : undefined),
    30_000,
    50,
  );
  const report = await streamer.stop();
  await sleep(GAP_SETTLE_MS);
  const missing = lost(report, receiver, streamer.origin);
  const silence = receiver.longestSilence(streamer.origin, faultAt - 100);
  const numbers = receiver.numbersFrom(streamer.origin);
  const duplicates = numbers.length - new Set(numbers).size;
  const stats = receiver.transport.stats();
  console.log(
    `measured: ${label}: longest wait between two broadcasts ${silence.ms} ms ` +
      `(ended ${silence.resumedAt - faultAt} ms after the fault); ` +
      `${missing.length} of ${report.published.length} published lost, ${duplicates} twice, ` +
      `${report.refused.length} refused; ` +
      `gaps counted ${stats.gaps}; resubscribes ${stats.resubscribes}; states ${receiver.states().join(' > ')}`,
  );
  return { report, missing, duplicates, silenceMs: silence.ms };
}

/**
 * The gap count a receiver should show after a fault: every published broadcast it missed, plus
 * at most the refused ones that had left with their sequence number (a publish that failed in
 * flight, or timed out, may or may not have reached Redis).
 */
export function gapBounds(measure: FaultMeasure): { readonly min: number; readonly max: number } {
  return { min: measure.missing.length, max: measure.missing.length + measure.report.refused.length };
}
