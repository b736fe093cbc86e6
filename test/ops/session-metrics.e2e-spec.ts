/**
 * `@nest-hive/session/metrics` in one process, with real prom-client and a real Redis of the
 * test's own: store calls are timed per operation, and the calls that fail during an outage are
 * counted as errors.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterModule } from '@nest-hive/cluster';
import { ClusterMetricsModule, ClusterMetricsService } from '@nest-hive/cluster/metrics';
import { Session, SessionModule } from '@nest-hive/session';
import { SessionMetricsModule } from '@nest-hive/session/metrics';
import { RedisSessionStore } from '@nest-hive/session/redis';
import type { Response } from 'express';
import { register } from 'prom-client';
import { freshRequest } from '../support/fresh-http.js';
import { OwnRedisServer, redisReachable } from '../support/redis.js';
import { appUrl, TEST_SECRET } from '../support/session-app.js';

const redisUp = await redisReachable();

@Controller()
class MetricsTestController {
  constructor(private readonly metrics: ClusterMetricsService) {}

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(this.metrics.contentType);
    return this.metrics.metrics();
  }

  @Get('visit')
  visit(@Session() session: Record<string, unknown>): { ok: true } {
    session.visits = 1;
    return { ok: true };
  }
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

(redisUp ? describe : describe.skip)('session store metrics (RedisSessionStore, one process)', () => {
  let server: OwnRedisServer;
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    register.clear();
    server = await OwnRedisServer.start();
    @Module({
      imports: [
        ClusterModule.forRoot(),
        SessionModule.forRoot({ secret: TEST_SECRET, store: new RedisSessionStore({ url: server.url }) }),
        ClusterMetricsModule.forRoot({ defaultMetrics: false }),
        SessionMetricsModule.forRoot(),
      ],
      controllers: [MetricsTestController],
    })
    class MetricsTestModule {}
    app = await NestFactory.create(MetricsTestModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = appUrl(app);
  }, 20_000);
  afterAll(async () => {
    await app?.close();
    await server?.dispose();
    register.clear();
  });

  it('times every store call by operation, counts failures during an outage, and counts the sessions', async () => {
    for (let i = 0; i < 3; i++) expect((await freshRequest(`${url}/visit`)).status).toBe(200);
    let text = (await freshRequest(`${url}/metrics`)).body;
    expect(sample(text, 'nest_hive_session_store_duration_seconds_count{operation="set"}')).toBe(3);
    expect(sample(text, 'nest_hive_sessions{store="RedisSessionStore"}')).toBe(3);
    expect(text).not.toMatch(/^nest_hive_session_store_errors_total\{/m);

    await server.pause();
    for (let i = 0; i < 2; i++) expect((await freshRequest(`${url}/visit`)).status).toBe(503);
    text = (await freshRequest(`${url}/metrics`)).body;
    expect(sample(text, 'nest_hive_session_store_errors_total{operation="set"}')).toBe(2);
    expect(sample(text, 'nest_hive_session_store_duration_seconds_count{operation="set"}')).toBe(5);
    // The store cannot count while Redis is down: the gauge is left out, the scrape still answers.
    expect(sample(text, 'nest_hive_sessions{store="RedisSessionStore"}')).toBeUndefined();
    await server.resume();
  }, 20_000);
});
