/**
 * The session benchmarks' HTTP server on Fastify (`@nestjs/platform-fastify`), configured by
 * environment:
 * - BENCH_SESSION: `none` | `fastify-session` (`@fastify/session` with `@fastify/cookie`,
 *   `saveUninitialized: false`, its memory store) | `nest-hive`
 * - PORT: port on 127.0.0.1 (0 picks one)
 * Routes, as in `session-bench-app.ts`: `GET /bench/none` never uses the session;
 * `GET /bench/read` reads `visits` from it; `GET /bench/visits` increments `visits` in it (without a
 * session module, the same routes answer from a counter). Prints `READY <port>` once listening.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Req, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { SessionModule } from '@nest-hive/session';
import type { FastifyRequest } from 'fastify';
import { AnchorController, NestHiveController, NoneController } from './bench-routes.controllers.js';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const mode = process.env.BENCH_SESSION ?? 'none';

declare module 'fastify' {
  /** What the bench keeps in a `@fastify/session` session. */
  interface Session {
    visits?: number;
  }
}

@Controller('bench')
class FastifySessionController extends NoneController {
  @Get('read')
  read(@Req() req: FastifyRequest): { visits: number } {
    return { visits: req.session.get('visits') ?? 0 };
  }

  @Get('visits')
  visits(@Req() req: FastifyRequest): { visits: number } {
    const visits = (req.session.get('visits') ?? 0) + 1;
    req.session.set('visits', visits);
    return { visits };
  }
}

function appModule(): DynamicModule {
  const controllers: Type<unknown>[] = [
    mode === 'nest-hive'
      ? NestHiveController
      : mode === 'fastify-session'
        ? FastifySessionController
        : AnchorController,
  ];
  const imports = mode === 'nest-hive' ? [SessionModule.forRoot({ secret: SECRET })] : [];
  @Module({})
  class BenchModule {}
  return { module: BenchModule, imports, controllers };
}

const app = await NestFactory.create<NestFastifyApplication>(appModule(), new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
if (mode === 'fastify-session') {
  await app.register(fastifyCookie);
  // secure: false, as the bench speaks plain HTTP (the default, true, sends no cookie there).
  await app.register(fastifySession, { secret: SECRET, saveUninitialized: false, cookie: { secure: false } });
}
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const address = (app.getHttpServer() as { address(): { port: number } }).address();
console.log(`READY ${address.port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
