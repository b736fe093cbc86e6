import { Controller, Get, Header, Res } from '@nestjs/common';
import { ClusterMetricsService } from '@nest-hive/cluster/metrics';
import type { Response } from 'express';

/** `GET /metrics`: Prometheus metrics of every process of the cluster, from any worker. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ClusterMetricsService) {}

  /** The aggregated metrics, in Prometheus' text format. */
  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(this.metrics.contentType);
    return this.metrics.metrics();
  }
}
