import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { type LeaderGrant } from './leader.topics.js';

/**
 * This process' leadership: granted by the primary until a time, renewed before it, ended at once
 * when the primary asks or when the time passes with no renewal (the primary lost the lease, or
 * stopped answering). What `@LeaderOnly()` and `ClusterLeaderService` read.
 */
export class Leadership {
  private until = 0;
  private token: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly state = new BehaviorSubject(false);

  /** `true` while leading, `false` otherwise; emits each change. */
  readonly changes$: Observable<boolean> = this.state.pipe(distinctUntilChanged());

  /** Whether this process leads now (its grant has not run out). */
  get isLeader(): boolean {
    return Date.now() < this.until;
  }

  /** The fencing token of this leadership, or `null` when not leading. */
  get fencingToken(): number | null {
    return this.isLeader ? this.token : null;
  }

  /** Leads until `grant.until`; a grant already over is ignored. */
  grant(grant: LeaderGrant): void {
    const left = grant.until - Date.now();
    if (left <= 0) return;
    this.until = grant.until;
    this.token = grant.fencingToken;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), left);
    this.timer.unref();
    this.state.next(true);
  }

  /** Leads for good: a process with no primary to ask (outside `bootstrapCluster`). */
  leadAlone(): void {
    this.until = Number.POSITIVE_INFINITY;
    this.token = 1;
    this.state.next(true);
  }

  /** Stops leading now. */
  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.until = 0;
    this.token = null;
    this.state.next(false);
  }
}

/** The leadership of this process, shared by its `ClusterLeaderService` and `@LeaderOnly()` methods. */
export const processLeadership = new Leadership();
