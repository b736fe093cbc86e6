import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { type ClusterMonitorSnapshot, ClusterMonitorService } from '@nest-hive/cluster/monitor';

/** `GET /api/console/monitor?since=<epoch ms>`: every worker's samples, for the console's monitor. */
@Controller('api/console')
export class MonitorController {
  constructor(private readonly monitor: ClusterMonitorService) {}

  /** Samples taken after `since` (default 0: the last minute). 400 for a `since` that is not a time. */
  @Get('monitor')
  snapshot(@Query('since') since?: string): Promise<ClusterMonitorSnapshot> {
    const after = since === undefined || since === '' ? 0 : Number(since);
    if (!Number.isSafeInteger(after) || after < 0) {
      throw new BadRequestException('`since` must be an epoch time in ms (a non-negative integer).');
    }
    return this.monitor.snapshot(after);
  }
}
