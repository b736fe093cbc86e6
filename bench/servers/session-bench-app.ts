/**
 * One HTTP server for the session benchmarks, configured by environment:
 * - BENCH_SESSION: `none` | `express-session` | `nest-hive`
 * - BENCH_STORE_DELAY_MS: extra latency of every store call (default 0)
 * - BENCH_EXPRESS_STORE: `connect-redis` puts the sessions in connect-redis 9
 *   (a node-redis 5 client on REDIS_URL, keys under BENCH_REDIS_PREFIX):
 *   as its store for express-session, through `fromExpressSessionStore()` for
 *   `@nest-hive/session`
 * - BENCH_EAGER: `1` loads the session eagerly (`eager: true`)
 * - PORT: port on 127.0.0.1 (0 picks one)
 * Routes: `GET /bench/none` never uses the session; `GET /bench/read`
 * reads `visits` from it; `GET /bench/visits` increments `visits` in it
 * (without a session module, the same routes answer from a counter). Prints `READY <port>` once listening.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Req, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SessionModule, type SessionStore } from '@nest-hive/session';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { createClient } from 'redis';
import { DelayedExpressMemoryStore, DelayedSessionStore } from './delayed-stores.js';
import {
  AnchorController,
  NestHiveController,
  NoneController,
  type BenchData,
} from './bench-routes.controllers.js';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const mode = process.env.BENCH_SESSION ?? 'none';
const delayMs = Number(process.env.BENCH_STORE_DELAY_MS ?? 0);
const eager = process.env.BENCH_EAGER === '1';

/** connect-redis on its own node-redis client, when BENCH_EXPRESS_STORE asks for it. */
async function connectRedis(): Promise<session.Store | undefined> {
  if (process.env.BENCH_EXPRESS_STORE !== 'connect-redis') return undefined;
  const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await client.connect();
  return new RedisStore({ client, prefix: process.env.BENCH_REDIS_PREFIX ?? 'bench:sess:' });
}
const redisStore = await connectRedis();

@Controller('bench')
class ExpressSessionController extends NoneController {
  @Get('read')
  read(@Req() req: { session: BenchData }): { visits: number } {
    return { visits: req.session.visits ?? 0 };
  }

  @Get('visits')
  visits(@Req() req: { session: BenchData }): { visits: number } {
    req.session.visits = (req.session.visits ?? 0) + 1;
    return { visits: req.session.visits };
  }
}

function appModule(): DynamicModule {
  const controllers: Type<unknown>[] = [
    mode === 'nest-hive'
      ? NestHiveController
      : mode === 'express-session'
        ? ExpressSessionController
        : AnchorController,
  ];
  const store: SessionStore | undefined = redisStore
    ? fromExpressSessionStore(redisStore)
    : delayMs > 0
      ? new DelayedSessionStore(delayMs)
      : undefined;
  const imports =
    mode === 'nest-hive' ? [SessionModule.forRoot({ secret: SECRET, eager, ...(store && { store }) })] : [];
  @Module({})
  class BenchModule {}
  return { module: BenchModule, imports, controllers };
}

const app = await NestFactory.create(appModule(), { logger: ['error', 'warn'] });
if (mode === 'express-session') {
  app.use(
    session({
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      store: redisStore ?? (delayMs > 0 ? new DelayedExpressMemoryStore(delayMs) : new session.MemoryStore()),
    }),
  );
}
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const address = (app.getHttpServer() as { address(): { port: number } }).address();
console.log(`READY ${address.port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
