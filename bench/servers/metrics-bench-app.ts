/**
 * A 2-worker cluster for the metrics benchmark (case 10), configured by environment:
 * - BENCH_METRICS: `1` imports ClusterMetricsModule and SessionMetricsModule (prom-client's
 *   default metrics, ours, and the store-call histogram), `0` leaves them out.
 * - PORT: port on 127.0.0.1 (0 picks a free one in the primary)
 * Routes: `GET /bench/visits` increments `visits` in the session (cluster-shared store);
 * `GET /metrics` with metrics on. Prints `READY <port>` once every worker is ready.
 */
import 'reflect-metadata';
import { createServer } from 'node:net';
import { Controller, Get, Module, Res, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bootstrapCluster, ClusterModule } from '@nest-hive/cluster';
import { getClusterEnvironment } from '@nest-hive/cluster/environment';
import { ClusterMetricsModule, ClusterMetricsService } from '@nest-hive/cluster/metrics';
import { Session, SessionModule } from '@nest-hive/session';
import { SessionMetricsModule } from '@nest-hive/session/metrics';
import type { Response } from 'express';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const withMetrics = process.env.BENCH_METRICS === '1';

@Controller('bench')
class VisitsController {
  @Get('visits')
  visits(@Session() session: Session<{ visits?: number }>): { visits: number } {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits };
  }
}

@Controller('metrics')
class MetricsController {
  constructor(private readonly metrics: ClusterMetricsService) {}

  @Get()
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(this.metrics.contentType);
    return this.metrics.metrics();
  }
}

function appModule(): DynamicModule {
  @Module({})
  class BenchModule {}
  return {
    module: BenchModule,
    imports: [
      ClusterModule.forRoot(),
      SessionModule.forRoot({ secret: SECRET }),
      ...(withMetrics ? [ClusterMetricsModule.forRoot(), SessionMetricsModule.forRoot()] : []),
    ],
    controllers: withMetrics ? [VisitsController, MetricsController] : [VisitsController],
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port =
  getClusterEnvironment().isPrimary && Number(process.env.PORT ?? 0) === 0
    ? await freePort()
    : Number(process.env.PORT);
const handle = await bootstrapCluster({
  workers: 2,
  reloadSignal: null,
  env: { PORT: String(port) },
  worker: async () => {
    const app = await NestFactory.create(appModule(), { logger: ['error', 'warn'] });
    await app.listen(port, '127.0.0.1');
    return app;
  },
});
if (handle.role === 'primary') console.log(`READY ${port}`);
