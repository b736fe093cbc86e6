import { Controller, Get } from '@nestjs/common';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';
import { LeaderTicksService } from './leader-ticks.service.js';

/** `GET /api/jobs/ticks`: how many times the leader-only job ran in the worker that answers. */
@Controller('api/jobs')
export class JobsController {
  constructor(private readonly job: LeaderTicksService) {}

  /** `{ pid, workerId, ticks }` of the worker that answers. */
  @Get('ticks')
  ticks(): ProcessIdentity & { ticks: number } {
    return { ...processIdentity(), ticks: this.job.ticks };
  }
}
