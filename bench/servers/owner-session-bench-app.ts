/**
 * The HTTP server of the logged-in session comparisons (`npm run bench:compare`, cases 2u and 2ur):
 * logins, logouts, and reads and changes of a logged-in session through `@nest-hive/session`, with
 * option `users: { userOf: (data) => data.user }`. A build from before the per-user index ignores
 * that option, so both builds do the same store work and only a build with the index keeps one.
 * - BENCH_OWNER_STORE: `memory` (default) | `redis` (a `RedisSessionStore` on REDIS_URL, keys under
 *   BENCH_REDIS_PREFIX, default `bench:owners:<pid>:`)
 * - PORT: port on 127.0.0.1 (0 picks one)
 * Routes (`GET`, so a load generator can replay them):
 * - `/bench/owner/login`: `regenerate()`, then `user` set to one of 1 000 users in turn: a login,
 *   and a new session each request
 * - `/bench/owner/read`: reads `user` and `visits` (a reading route of a logged-in session)
 * - `/bench/owner/visits`: `visits++` (a logged-in session changed, its owner kept)
 * - `/bench/owner/logout`: `destroy()`
 * Prints `READY <port>` once listening.
 */
import 'reflect-metadata';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Session, SessionModule, type SessionStore } from '@nest-hive/session';
import { RedisSessionStore } from '@nest-hive/session/redis';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
/** Distinct users the logins go to, in turn. */
const USERS = 1_000;

/** What the owner routes keep in a session. */
interface OwnerBenchData {
  user?: string;
  visits?: number;
}

/** The owner routes (see the file's comment). */
@Controller('bench/owner')
class OwnerBenchController {
  private logins = 0;

  @Get('login')
  async login(@Session() s: Session<OwnerBenchData>): Promise<{ user: string }> {
    await s.regenerate();
    this.logins = (this.logins + 1) % USERS;
    s.user = `user-${this.logins}`;
    return { user: s.user };
  }

  @Get('read')
  read(@Session() s: Session<OwnerBenchData>): { user: string | null; visits: number } {
    return { user: s.user ?? null, visits: s.visits ?? 0 };
  }

  @Get('visits')
  visits(@Session() s: Session<OwnerBenchData>): { visits: number } {
    s.visits = (s.visits ?? 0) + 1;
    return { visits: s.visits };
  }

  @Get('logout')
  async logout(@Session() s: Session<OwnerBenchData>): Promise<{ ok: true }> {
    await s.destroy();
    return { ok: true };
  }
}

function ownerStore(): SessionStore | undefined {
  if (process.env.BENCH_OWNER_STORE !== 'redis') return undefined;
  return new RedisSessionStore({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: process.env.BENCH_REDIS_PREFIX ?? `bench:owners:${process.pid}:`,
  });
}

/**
 * Option `users`, spread in rather than written in the literal: the build from before the index
 * has no such option (it ignores it at run time), and its compiler would refuse it in a literal.
 */
const users = {
  users: { userOf: (data: Readonly<Record<string, unknown>>) => data.user as string | undefined },
};

function appModule(store: SessionStore | undefined): DynamicModule {
  @Module({})
  class OwnerBenchModule {}
  return {
    module: OwnerBenchModule,
    imports: [SessionModule.forRoot({ secret: SECRET, ...(store && { store }), ...users })],
    controllers: [OwnerBenchController],
  };
}

const store = ownerStore();
const app = await NestFactory.create(appModule(store), { logger: ['error', 'warn'] });
await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const address = (app.getHttpServer() as { address(): { port: number } }).address();
console.log(`READY ${address.port}`);
/** Ends the server; a Redis store's sessions go with it (they are under this process's prefix). */
async function stop(): Promise<void> {
  await store?.clear?.();
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
