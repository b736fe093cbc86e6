/**
 * A 2-worker cluster for the shared-session benchmark, configured by environment:
 * - BENCH_STORE: `cluster` (shared through the primary) | `memory` (one store per worker) | `redis`
 * - REDIS_URL: for `redis` (default redis://127.0.0.1:6379)
 * - PORT: port on 127.0.0.1 (0 picks a free one in the primary)
 * Route: `GET /bench/visits` increments `visits` in the session. Prints `READY <port>` once every worker is ready.
 */
import 'reflect-metadata';
import { createServer } from 'node:net';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bootstrapCluster } from '@nest-hive/cluster';
import { getClusterEnvironment } from '@nest-hive/cluster/environment';
import { MemorySessionStore, Session, SessionModule, type SessionStore } from '@nest-hive/session';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const store = process.env.BENCH_STORE ?? 'cluster';

@Controller('bench')
class VisitsController {
  @Get('visits')
  visits(@Session() session: Session<{ visits?: number }>): { visits: number } {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits };
  }
}

async function sessionStore(): Promise<SessionStore | undefined> {
  if (store === 'memory') return new MemorySessionStore();
  if (store === 'redis') {
    const { RedisSessionStore } = await import('@nest-hive/session/redis');
    return new RedisSessionStore({ url: process.env.REDIS_URL, prefix: `bench:${process.ppid}:` });
  }
  return undefined; // the default under bootstrapCluster: the store shared through the primary
}

async function appModule(): Promise<DynamicModule> {
  const chosen = await sessionStore();
  @Module({})
  class BenchModule {}
  return {
    module: BenchModule,
    imports: [SessionModule.forRoot({ secret: SECRET, ...(chosen && { store: chosen }) })],
    controllers: [VisitsController],
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
    const app = await NestFactory.create(await appModule(), { logger: ['error', 'warn'] });
    await app.listen(port, '127.0.0.1');
    return app;
  },
});
if (handle.role === 'primary') console.log(`READY ${port}`);
