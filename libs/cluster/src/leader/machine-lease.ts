import { type LeaderInfo } from './leader.topics.js';

/** What holding the lease gives: until when this machine may lead, and the fencing token. */
export interface LeaseHold {
  /** The machine may lead until then (epoch ms, this machine's clock), with a safety margin taken. */
  readonly until: number;
  /** The fencing token of the current leader (higher for each new one). */
  readonly fencingToken: number;
}

/**
 * The right of one machine's primary to have a leader: always its own without Redis
 * (`LocalLease`), a lease in Redis for a fleet (`RedisLease`).
 */
export interface MachineLease {
  /**
   * Takes or renews the lease, naming the local leader (or `null`), and says until when it holds;
   * `null` when another machine holds it or Redis did not answer. `newLeader` asks for a new
   * fencing token (a different worker leads from now on). Never rejects.
   */
  hold(leader: Omit<LeaderInfo, 'fencingToken'> | null, newLeader: boolean): Promise<LeaseHold | null>;
  /** Who leads the fleet, as the lease says; `null` for nobody. Never rejects. */
  holder(): Promise<LeaderInfo | null>;
  /** Gives the lease up (on shutdown) and closes connections. */
  close(): Promise<void>;
}

/** The lease of a cluster on one machine: always held; each new leader gets the next token. */
export class LocalLease implements MachineLease {
  private token = 0;
  private current: LeaderInfo | null = null;

  /** @param leaseMs - how far ahead each renewal reaches. */
  constructor(private readonly leaseMs: number) {}

  /** @inheritdoc */
  hold(leader: Omit<LeaderInfo, 'fencingToken'> | null, newLeader: boolean): Promise<LeaseHold> {
    if (newLeader) this.token++;
    this.current = leader ? { ...leader, fencingToken: this.token } : null;
    return Promise.resolve({ until: Date.now() + this.leaseMs, fencingToken: this.token });
  }

  /** @inheritdoc */
  holder(): Promise<LeaderInfo | null> {
    return Promise.resolve(this.current);
  }

  /** @inheritdoc */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
