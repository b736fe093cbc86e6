import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { LeaderOnly } from '@nest-hive/cluster/leader';

/** How often the leader-only job runs, ms. */
export const TICK_INTERVAL_MS = 500;

/**
 * The demo's run-once job: every worker schedules it with `@Interval`, and `@LeaderOnly()` lets it
 * run only in the worker that leads, so the cluster (or fleet) ticks once per interval.
 */
@Injectable()
export class LeaderTicksService {
  private count = 0;

  /** Ticks run in this worker. */
  get ticks(): number {
    return this.count;
  }

  /** The job: counts a tick. */
  @Interval(TICK_INTERVAL_MS)
  @LeaderOnly()
  tick(): void {
    this.count++;
  }
}
