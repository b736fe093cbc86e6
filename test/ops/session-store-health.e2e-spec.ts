/**
 * `SessionStoreHealthIndicator` under real `@nestjs/terminus`, over real HTTP, for each store we
 * ship: memory, Redis, and express-session stores (connect-pg-simple, connect-redis) through
 * `fromExpressSessionStore`. Outages are real: a Redis server of the test's own, stopped, and a
 * PostgreSQL "server" that accepts connections and never answers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { MemorySessionStore, SessionModule, type SessionStore } from '@nest-hive/session';
import { fromExpressSessionStore } from '@nest-hive/session/express';
import { RedisSessionStore } from '@nest-hive/session/redis';
import { SessionHealthModule, SessionStoreHealthIndicator } from '@nest-hive/session/terminus';
import { RedisStore } from 'connect-redis';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { createClient } from 'redis';
import { connectRedisStore, pgSimpleStore, type RealExpressStore } from '../support/express-stores.js';
import { freshRequest } from '../support/fresh-http.js';
import { postgresReachable } from '../support/postgres.js';
import { freePort, waitFor } from '../support/processes.js';
import { OwnRedisServer, REDIS_URL, redisReachable } from '../support/redis.js';
import { appUrl, TEST_SECRET } from '../support/session-app.js';

const redisUp = await redisReachable();
const postgresUp = await postgresReachable();
const TIMEOUT_MS = 400;

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessionStore: SessionStoreHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.sessionStore.isHealthy('sessionStore', { timeoutMs: TIMEOUT_MS })]);
  }
}

let app: INestApplication | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startWith(store: SessionStore): Promise<string> {
  @Module({
    imports: [
      SessionModule.forRoot({ secret: TEST_SECRET, store }),
      TerminusModule.forRoot({ logger: false }),
      SessionHealthModule,
    ],
    controllers: [HealthController],
  })
  class HealthAppModule {}
  app = await NestFactory.create(HealthAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return appUrl(app);
}

async function health(url: string): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now();
  const reply = await freshRequest(`${url}/health`, { timeoutMs: 5_000 });
  return { status: reply.status, body: reply.json, ms: Date.now() - started };
}

/**
 * The health check once it answers 200 again. The store's client reconnects on its own backoff;
 * until then each check fails at once, so the wait is on time, not on a count of checks (which a
 * fast machine spends in a few ms).
 */
function healthUpAgain(url: string): Promise<{ status: number; body: unknown; ms: number }> {
  return waitFor(
    'the health check up again',
    async () => {
      const reply = await health(url);
      return reply.status === 200 ? reply : undefined;
    },
    10_000,
    50,
  );
}

const UP = { status: 'ok', info: { sessionStore: { status: 'up' } }, error: {} };

/** A TCP server that accepts connections and never says a word (a hung database). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('SessionStoreHealthIndicator', () => {
  it('is up for the memory store', async () => {
    const reply = await health(await startWith(new MemorySessionStore()));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject(UP);
  });

  it('never creates a session when it pings', async () => {
    const store = new MemorySessionStore();
    const url = await startWith(store);
    for (let i = 0; i < 3; i++) expect((await health(url)).status).toBe(200);
    expect(await store.length()).toBe(0);
  });

  (redisUp ? describe : describe.skip)('RedisSessionStore', () => {
    it('is up on the real Redis', async () => {
      const reply = await health(await startWith(new RedisSessionStore({ url: REDIS_URL })));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject(UP);
    });

    it('is down with 503, within its timeout, while Redis is stopped, and up again after', async () => {
      const server = await OwnRedisServer.start();
      cleanups.push(() => server.dispose());
      const url = await startWith(new RedisSessionStore({ url: server.url }));
      expect((await health(url)).status).toBe(200);
      await server.pause();
      const down = await health(url);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'error', error: { sessionStore: { status: 'down' } } });
      expect(down.ms).toBeLessThan(TIMEOUT_MS + 1_000);
      await server.resume();
      expect((await healthUpAgain(url)).body).toMatchObject(UP);
    }, 30_000);
  });

  (postgresUp ? describe : describe.skip)('connect-pg-simple through fromExpressSessionStore', () => {
    let backend: RealExpressStore | undefined;
    afterEach(async () => {
      await backend?.dispose();
      backend = undefined;
    });

    it('is up on the real PostgreSQL', async () => {
      backend = await pgSimpleStore();
      const reply = await health(await startWith(fromExpressSessionStore(backend.store)));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject(UP);
    });

    it('is down within its timeout when PostgreSQL accepts the connection and never answers', async () => {
      const silent = await silentServer();
      const pool = new pg.Pool({ host: '127.0.0.1', port: silent.port, user: 'postgres', database: 'test' });
      cleanups.push(async () => {
        await silent.close();
        await pool.end().catch(() => undefined);
      });
      const PGStore = connectPgSimple(session);
      const store = new PGStore({ pool, tableName: 'session', pruneSessionInterval: false });
      // The adapter's own timeout is far longer: the indicator's must win.
      const url = await startWith(fromExpressSessionStore(store, { timeoutMs: 30_000 }));
      const down = await health(url);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'error',
        error: { sessionStore: { status: 'down', message: expect.stringContaining(`${TIMEOUT_MS} ms`) } },
      });
      expect(down.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(down.ms).toBeLessThan(TIMEOUT_MS + 1_000);
    });
  });

  (redisUp ? describe : describe.skip)('connect-redis through fromExpressSessionStore', () => {
    it('is up on the real Redis', async () => {
      const backend = await connectRedisStore();
      cleanups.push(() => backend.dispose());
      const reply = await health(await startWith(fromExpressSessionStore(backend.store)));
      expect(reply.status).toBe(200);
    });

    it('is down within its timeout while Redis is stopped (node-redis queues the command offline)', async () => {
      const server = await OwnRedisServer.start();
      cleanups.push(() => server.dispose());
      const client = createClient({ url: server.url });
      client.on('error', () => undefined);
      await client.connect();
      cleanups.push(async () => {
        await client.close().catch(() => client.destroy());
      });
      const url = await startWith(fromExpressSessionStore(new RedisStore({ client })));
      expect((await health(url)).status).toBe(200);
      await server.pause();
      const down = await health(url);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'error', error: { sessionStore: { status: 'down' } } });
      expect(down.ms).toBeLessThan(TIMEOUT_MS + 1_000);
      await server.resume();
      expect((await healthUpAgain(url)).body).toMatchObject(UP);
    }, 30_000);
  });
});
