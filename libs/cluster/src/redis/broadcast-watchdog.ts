import { BehaviorSubject, type Observable } from 'rxjs';
import { type BroadcastTransportStatus } from '../transport/broadcast-transport.js';

/** Where the watchdog writes its degrade and recover lines. */
export interface WatchdogLog {
  /** A degrade. */
  warn(message: string): void;
  /** A recovery. */
  log(message: string): void;
}

/** What a watchdog checks and how it repairs. */
export interface WatchdogParams {
  /** Ping interval (ms). */
  readonly intervalMs: number;
  /** Longest time without an echo before it degrades (ms). */
  readonly timeoutMs: number;
  /** Sends one ping through Redis to this transport's own ping channel. */
  readonly ping: () => Promise<void>;
  /** Forces the subscriber to reconnect and resubscribe; `false` when it is reconnecting anyway. */
  readonly resubscribe: () => boolean;
  /** Runs at each tick, before the check (e.g. counting late broadcasts as missing). */
  readonly onTick: (now: number) => void;
  /** Where the degrade and recover lines go. */
  readonly log: WatchdogLog;
  /** Names the subscription in log lines, e.g. its channel. */
  readonly subject: string;
}

/** The watchdog's state: healthy, degraded since a time (with its last forced resubscribe), or stopped. */
type Phase =
  | { readonly name: 'healthy' }
  | { readonly name: 'degraded'; readonly since: number; readonly lastRepairAt: number | undefined }
  | { readonly name: 'stopped' };

/**
 * Keeps a subscription honest: every `intervalMs` it pings its own channel through Redis; after
 * `timeoutMs` without an echo it reports `degraded` and, when its pings do get published (so the
 * fault is the subscription's), forces a resubscribe, again every `timeoutMs` while no echo
 * comes; the first echo after that reports `healthy`. Its one timer is `unref()`ed (it never
 * holds the process open) and cleared by `stop()`.
 */
export class BroadcastWatchdog {
  private readonly status: BehaviorSubject<BroadcastTransportStatus>;
  private phase: Phase = { name: 'healthy' };
  private lastEcho = Date.now();
  private lastPingError: string | undefined;
  private pinging = false;
  private repairs = 0;
  private timer: NodeJS.Timeout | undefined;

  /** @param params - the check, the repair and the timings. */
  constructor(private readonly params: WatchdogParams) {
    this.status = new BehaviorSubject<BroadcastTransportStatus>({
      state: 'healthy',
      since: this.lastEcho,
      reason: 'started',
    });
  }

  /** The current status at once, then each change; completes on `stop()`. */
  get status$(): Observable<BroadcastTransportStatus> {
    return this.status.asObservable();
  }

  /** Whether it is degraded now. */
  get degraded(): boolean {
    return this.phase.name === 'degraded';
  }

  /** Resubscribes it forced. */
  get resubscribes(): number {
    return this.repairs;
  }

  /** Starts pinging; the silence is measured from now. */
  start(): void {
    if (this.timer || this.phase.name === 'stopped') return;
    this.lastEcho = Date.now();
    this.timer = setInterval(() => this.tick(), this.params.intervalMs);
    this.timer.unref();
  }

  /** An echo of a ping arrived: the subscription works. */
  echo(): void {
    const now = Date.now();
    this.lastEcho = now;
    if (this.phase.name !== 'degraded') return;
    const downMs = now - this.phase.since;
    this.phase = { name: 'healthy' };
    const reason = `its ping came back after ${downMs} ms degraded`;
    this.params.log.log(`Broadcasts on ${this.params.subject} flow again: ${reason}.`);
    this.status.next({ state: 'healthy', since: now, reason });
  }

  /** Stops the timer and completes `status$`. Idempotent. */
  stop(): void {
    this.phase = { name: 'stopped' };
    clearInterval(this.timer);
    this.timer = undefined;
    this.status.complete();
  }

  private tick(): void {
    const now = Date.now();
    this.params.onTick(now);
    this.check(now);
    if (this.pinging) return; // one ping at a time: a stuck publisher does not pile them up
    this.pinging = true;
    void this.params
      .ping()
      .then(
        () => (this.lastPingError = undefined),
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          this.lastPingError = message.replace(/\.$/, '');
        },
      )
      .finally(() => (this.pinging = false));
  }

  private check(now: number): void {
    const silentMs = now - this.lastEcho;
    if (silentMs < this.params.timeoutMs || this.phase.name === 'stopped') return;
    if (this.phase.name === 'healthy') {
      const failed = this.lastPingError === undefined ? '' : `; its last ping failed: ${this.lastPingError}`;
      const reason = `no echo of its own ping for ${silentMs} ms${failed}`;
      this.params.log.warn(
        `Broadcasts on ${this.params.subject} may be missed: ${reason}. ` +
          'Broadcasts published meanwhile are not sent again.',
      );
      this.phase = { name: 'degraded', since: now, lastRepairAt: undefined };
      this.status.next({ state: 'degraded', since: now, reason });
    }
    const { lastRepairAt } = this.phase;
    if (lastRepairAt !== undefined && now - lastRepairAt < this.params.timeoutMs) return;
    if (this.repair()) this.phase = { ...this.phase, lastRepairAt: now };
  }

  /**
   * Forces a resubscribe, but only when the last ping was published: while pings cannot leave
   * (Redis away, a failover) the subscription cannot be judged, and the client reconnects anyway.
   */
  private repair(): boolean {
    if (this.pinging || this.lastPingError !== undefined) return false;
    if (this.params.resubscribe()) this.repairs++;
    return true;
  }
}
