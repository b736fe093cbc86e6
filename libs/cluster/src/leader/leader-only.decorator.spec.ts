import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Cron, Interval } from '@nestjs/schedule';
import { LeaderOnly } from './leader-only.decorator.js';
import { processLeadership } from './leadership.js';

class Jobs {
  runs = 0;

  @Interval(500)
  @LeaderOnly()
  below(): number {
    return ++this.runs;
  }

  @LeaderOnly()
  @Cron('*/5 * * * * *')
  above(): number {
    return ++this.runs;
  }
}

describe('@LeaderOnly()', () => {
  it("keeps @nestjs/schedule's metadata whichever side it is on", () => {
    const jobs = new Jobs();
    expect(Reflect.getMetadata('SCHEDULE_INTERVAL_OPTIONS', jobs.below)).toEqual({ timeout: 500 });
    expect(Reflect.getMetadata('SCHEDULE_CRON_OPTIONS', jobs.above)).toMatchObject({
      cronTime: '*/5 * * * * *',
    });
    expect(jobs.below.name).toBe('below');
  });

  it('runs the method only while this process leads, until its grant runs out', async () => {
    const jobs = new Jobs();
    processLeadership.end();
    expect(jobs.below()).toBeUndefined();
    processLeadership.grant({ fencingToken: 7, until: Date.now() + 100 });
    expect(jobs.below()).toBe(1);
    expect(jobs.above()).toBe(2);
    expect(processLeadership.fencingToken).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(processLeadership.isLeader).toBe(false);
    expect(jobs.above()).toBeUndefined();
    processLeadership.grant({ fencingToken: 8, until: Date.now() - 1 }); // already over: ignored
    expect(processLeadership.isLeader).toBe(false);
  });
});
