import {
  type RecycleReason,
  type ResolvedRecycleOptions,
  staggeredMaxAgeMs,
} from '../bootstrap/recycle.options.js';
import { type WorkerRecord } from './worker-record.js';

const MIB = 1024 * 1024;

/** A restart rule a worker broke. */
export interface RuleBreach {
  /** The rule. */
  readonly reason: RecycleReason;
  /** What broke it, in words for the event and the log. */
  readonly detail: string;
}

/** A worker the rules watch: a slot's ready worker, with the slot's place among all slots. */
export interface WatchedWorker {
  readonly record: WorkerRecord;
  /** Its slot's index. */
  readonly slot: number;
  /** How many slots the cluster runs. */
  readonly slots: number;
}

/** What the rules ask of the supervisor. */
export interface WorkerRulesSteps {
  /** The ready workers serving a slot, none of them already being replaced. */
  watched(): Iterable<WatchedWorker>;
  /** Sends `workerId` a heartbeat; its pong comes to {@link WorkerRules.onPong}. */
  ping(workerId: number): void;
  /** `record` broke a rule: replace it. */
  breach(record: WorkerRecord, breach: RuleBreach): void;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / MIB)} MiB`;
}

/**
 * The restart rules of a supervisor: every `heartbeatIntervalMs` it checks each watched worker's
 * age and last answer, then sends each a heartbeat; each answer brings the worker's RSS, checked
 * against the memory limit. A breach is reported once per worker.
 */
export class WorkerRules {
  private timer: NodeJS.Timeout | undefined;
  private lastTickAt: number;

  /**
   * @param options - the resolved rules.
   * @param steps - the supervisor's side.
   * @param now - the clock (epoch ms).
   */
  constructor(
    private readonly options: ResolvedRecycleOptions,
    private readonly steps: WorkerRulesSteps,
    private readonly now: () => number = Date.now,
  ) {
    this.lastTickAt = now();
  }

  /** Whether any rule is on: without one, no heartbeat is sent. */
  get active(): boolean {
    const { maxMemoryMb, hangTimeoutMs, maxAgeMs } = this.options;
    return maxMemoryMb !== null || hangTimeoutMs !== null || maxAgeMs !== null;
  }

  /** Starts the heartbeats (when a rule is on). Idempotent. */
  start(): void {
    if (this.timer || !this.active) return;
    this.lastTickAt = this.now();
    this.timer = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** Stops them. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: the age and hang rules on every watched worker, then a heartbeat to each. */
  tick(): void {
    const now = this.now();
    // The primary's own loop was held up (a long GC, a busy host): the workers' answers may be
    // waiting in its queue, so nobody's silence is counted across that gap.
    const stalled = now - this.lastTickAt > 2 * this.options.heartbeatIntervalMs;
    this.lastTickAt = now;
    for (const watched of this.steps.watched()) {
      const { record } = watched;
      if (stalled) record.health.lastAnswerAt = now;
      const breach = this.ageBreach(watched, now) ?? this.hangBreach(record, now);
      if (breach) this.report(record, breach);
      else this.steps.ping(record.id);
    }
  }

  /** A worker answered a heartbeat with its RSS: checks the memory limit. */
  onPong(record: WorkerRecord, rssBytes: number): void {
    const health = record.health;
    health.lastAnswerAt = this.now();
    health.rssBytes = rssBytes;
    const { maxMemoryMb, memorySamples } = this.options;
    if (maxMemoryMb === null || record.state !== 'ready') return;
    health.memoryStrikes = rssBytes > maxMemoryMb * MIB ? health.memoryStrikes + 1 : 0;
    if (health.memoryStrikes < memorySamples) return;
    this.report(record, {
      reason: 'memory',
      detail:
        `RSS ${mib(rssBytes)} above recycle.maxMemoryMb (${maxMemoryMb} MiB) for ` +
        `${health.memoryStrikes} heartbeats in a row`,
    });
  }

  private ageBreach({ record, slot, slots }: WatchedWorker, now: number): RuleBreach | undefined {
    const { maxAgeMs } = this.options;
    if (maxAgeMs === null || record.readyAt === null) return undefined;
    const limit = staggeredMaxAgeMs(maxAgeMs, slot, slots);
    const age = now - record.startedAt;
    if (age < limit) return undefined;
    return {
      reason: 'max-age',
      detail: `${age} ms old, past its ${limit} ms (recycle.maxAgeMs ${maxAgeMs})`,
    };
  }

  private hangBreach(record: WorkerRecord, now: number): RuleBreach | undefined {
    const { hangTimeoutMs } = this.options;
    const silentMs = now - record.health.lastAnswerAt;
    if (hangTimeoutMs === null || silentMs < hangTimeoutMs) return undefined;
    return {
      reason: 'hang',
      detail: `no heartbeat answered for ${silentMs} ms (recycle.hangTimeoutMs ${hangTimeoutMs})`,
    };
  }

  private report(record: WorkerRecord, breach: RuleBreach): void {
    if (record.health.breached) return;
    record.health.breached = true;
    this.steps.breach(record, breach);
  }
}
