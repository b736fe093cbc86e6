/**
 * A 2-worker cluster for the shared-session benchmark, configured by environment:
 * - BENCH_STORE: `cluster` (shared through the primary, in its memory only: `persistence: false`)
 *   | `cluster-uncached` (the same without the workers' read cache: `readCache: false`)
 *   | `file` (shared through the primary, kept in a session file: `persistence: { path }`)
 *   | `file-sync` (the same, `durability: 'sync'`) | `memory` (one store per worker) | `redis`
 * - REDIS_URL: for `redis` (default redis://127.0.0.1:6379)
 * - PORT: port on 127.0.0.1 (0 picks a free one in the primary)
 * With `file` and `file-sync` the session file is in BENCH_SCRATCH_DIR, the server's own temporary
 * directory that the bench runner makes and removes (run by hand: a fresh temporary directory the
 * primary makes and removes when it exits), handed to the workers: no run writes into the
 * repository or shares a file with another server.
 * Routes: `GET /bench/visits` increments `visits` in the session; `GET /bench/none` never touches
 * the session (the anchor of the reading route); `GET /bench/read` only reads it, and answers 404 when the request has no session with `visits` (a cookie whose session is gone
 * must fail the run, not measure a route that reads nothing). Prints `READY <port>` once every
 * worker is ready.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Controller, Get, Module, NotFoundException, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bootstrapCluster } from '@nest-hive/cluster';
import { getClusterEnvironment } from '@nest-hive/cluster/environment';
import {
  MemorySessionStore,
  Session,
  SessionModule,
  type SessionModuleOptions,
  type SessionStore,
} from '@nest-hive/session';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const STORES = ['cluster', 'cluster-uncached', 'file', 'file-sync', 'memory', 'redis'] as const;
type BenchStore = (typeof STORES)[number];
const isBenchStore = (value: string): value is BenchStore => (STORES as readonly string[]).includes(value);

const storeName = process.env.BENCH_STORE ?? 'cluster';
if (!isBenchStore(storeName)) throw new Error(`BENCH_STORE is one of ${STORES.join(', ')}, not ${storeName}`);
const store: BenchStore = storeName;
const persistent = store === 'file' || store === 'file-sync';
/** How the primary hands the session file to its workers. */
const FILE_ENV = 'BENCH_SESSION_FILE';

@Controller('bench')
class VisitsController {
  @Get('visits')
  visits(@Session() session: Session<{ visits?: number }>): { visits: number } {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits };
  }

  @Get('none')
  none(): { ok: true } {
    return { ok: true };
  }

  @Get('read')
  read(@Session() session: Session<{ visits?: number }>): { visits: number } {
    const visits = session.visits;
    if (visits === undefined) throw new NotFoundException('no session with visits: get a cookie first');
    return { visits };
  }
}

/** The store options of `BENCH_STORE`: an explicit store, or the cluster-shared default's persistence. */
async function storeOptions(): Promise<Pick<SessionModuleOptions, 'store' | 'persistence'>> {
  if (store === 'memory') return { store: new MemorySessionStore() };
  if (store === 'redis') {
    const { RedisSessionStore } = await import('@nest-hive/session/redis');
    const redis: SessionStore = new RedisSessionStore({
      url: process.env.REDIS_URL,
      prefix: `bench:${process.ppid}:`,
    });
    return { store: redis };
  }
  if (store === 'cluster') return { persistence: false };
  if (store === 'cluster-uncached') {
    const { ClusterSessionStore } = await import('@nest-hive/session/cluster');
    return { store: new ClusterSessionStore({ persistence: false, readCache: false }) };
  }
  const path = process.env[FILE_ENV];
  if (!path) throw new Error(`${FILE_ENV} is set by the primary`);
  return { persistence: { path, durability: store === 'file-sync' ? 'sync' : 'flush' } };
}

async function appModule(): Promise<DynamicModule> {
  const options = await storeOptions();
  @Module({})
  class BenchModule {}
  return {
    module: BenchModule,
    // Sessions live 5 minutes, alike for every store: a run's tens of thousands of sessions must
    // not stay in the shared Redis for a day (a large keyspace slows every SCAN of the tests).
    imports: [SessionModule.forRoot({ secret: SECRET, idleTimeout: 5 * 60_000, ...options })],
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

/**
 * In the primary of a persistent run: the session file, in the runner's scratch directory for this
 * server, or else in a fresh directory removed when the primary exits.
 */
function sessionFile(): string {
  const scratch = process.env.BENCH_SCRATCH_DIR;
  if (scratch) return join(scratch, 'sessions.db');
  const path = join(mkdtempSync(join(tmpdir(), 'nest-hive-bench-sessions-')), 'sessions.db');
  process.once('exit', () => rmSync(dirname(path), { recursive: true, force: true }));
  return path;
}

const { isPrimary } = getClusterEnvironment();
const port = isPrimary && Number(process.env.PORT ?? 0) === 0 ? await freePort() : Number(process.env.PORT);
const handle = await bootstrapCluster({
  workers: 2,
  reloadSignal: null,
  env: { PORT: String(port), ...(isPrimary && persistent && { [FILE_ENV]: sessionFile() }) },
  worker: async () => {
    const app = await NestFactory.create(await appModule(), { logger: ['error', 'warn'] });
    await app.listen(port, '127.0.0.1');
    return app;
  },
});
if (handle.role === 'primary') console.log(`READY ${port}`);
