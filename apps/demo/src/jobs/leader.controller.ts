import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ClusterLeaderService, type LeaderInfo } from '@nest-hive/cluster/leader';

/** `GET /api/cluster/leader`: who leads the cluster (with Redis: the fleet), from any worker. */
@Controller('api/cluster')
export class LeaderController {
  constructor(private readonly leader: ClusterLeaderService) {}

  /** `{ workerId, pid, hostname, fencingToken }` of the leader; 503 while nobody leads (an election). */
  @Get('leader')
  async current(): Promise<LeaderInfo> {
    const leader = await this.leader.leader();
    if (!leader)
      throw new ServiceUnavailableException('No worker leads right now: an election is under way.');
    return leader;
  }
}
