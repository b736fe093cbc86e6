import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import { redisAvailable } from '../lib/redis-available.js';
import { ratio, type CaseResult, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, startServer, type ServerProcess } from '../lib/server-process.js';

const APP = `${BENCH_DIST}/servers/session-bench-app.js`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const median = (variants: VariantResult[], name: string): number => {
  const found = variants.find((v) => v.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found.summary.median;
};

async function startAll(specs: Array<[string, Record<string, string>]>): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  try {
    for (const [name, env] of specs) servers.push(await startServer(name, APP, env));
    return servers;
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
}

/** Deletes the keys under `prefix` (SCAN, never KEYS or FLUSHALL: the Redis is shared). */
async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/**
 * Case 8: connect-redis 9 on the same Redis, as express-session's store and
 * through `fromExpressSessionStore()`: a session-writing route (a new session
 * each request, and one existing session), a route that never uses the
 * session (with a cookie), and that route with `eager: true`.
 */
export async function expressStoreCase(context: BenchContext): Promise<CaseResult> {
  const title = 'connect-redis 9, express-session vs fromExpressSessionStore()';
  if (!(await redisAvailable())) return { id: '8', title, variants: [], ratios: [], skipped: 'no Redis' };
  const prefix = `bench:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const store = { BENCH_EXPRESS_STORE: 'connect-redis', REDIS_URL };
  const servers = await startAll([
    ['express-session', { ...store, BENCH_SESSION: 'express-session', BENCH_REDIS_PREFIX: `${prefix}es:` }],
    ['nest-hive', { ...store, BENCH_SESSION: 'nest-hive', BENCH_REDIS_PREFIX: `${prefix}nh:` }],
    [
      'nest-hive eager',
      { ...store, BENCH_SESSION: 'nest-hive', BENCH_EAGER: '1', BENCH_REDIS_PREFIX: `${prefix}nhe:` },
    ],
  ]);
  try {
    const [express, ours, eager] = servers;
    const expressCookie = await obtainCookie(`${express.url}/bench/visits`);
    const ourCookie = await obtainCookie(`${ours.url}/bench/visits`);
    const eagerCookie = await obtainCookie(`${eager.url}/bench/visits`);
    const variants = await measureInterleaved(context, [
      {
        name: 'express-session, writes, new session each request',
        load: { url: `${express.url}/bench/visits` },
      },
      {
        name: '@nest-hive/session, writes, new session each request',
        load: { url: `${ours.url}/bench/visits` },
      },
      {
        name: 'express-session, writes, existing session',
        load: { url: `${express.url}/bench/visits`, headers: { cookie: expressCookie } },
      },
      {
        name: '@nest-hive/session, writes, existing session',
        load: { url: `${ours.url}/bench/visits`, headers: { cookie: ourCookie } },
      },
      {
        name: 'express-session, route without session, with cookie',
        load: { url: `${express.url}/bench/none`, headers: { cookie: expressCookie } },
      },
      {
        name: '@nest-hive/session, route without session, with cookie',
        load: { url: `${ours.url}/bench/none`, headers: { cookie: ourCookie } },
      },
      {
        name: '@nest-hive/session eager, route without session, with cookie',
        load: { url: `${eager.url}/bench/none`, headers: { cookie: eagerCookie } },
      },
    ]);
    const m = (name: string) => median(variants, name);
    return {
      id: '8',
      title,
      variants,
      ratios: [
        ratio(
          'ours/express-session, writes, new session',
          m('@nest-hive/session, writes, new session each request') /
            m('express-session, writes, new session each request'),
          { op: '>=', value: 1.0 },
        ),
        ratio(
          'ours/express-session, writes, existing session',
          m('@nest-hive/session, writes, existing session') / m('express-session, writes, existing session'),
          { op: '>=', value: 1.0 },
        ),
        ratio(
          'ours/express-session, route without session, with cookie',
          m('@nest-hive/session, route without session, with cookie') /
            m('express-session, route without session, with cookie'),
          { op: '>=', value: 1.5 },
        ),
        ratio(
          'eager/express-session, route without session, with cookie',
          m('@nest-hive/session eager, route without session, with cookie') /
            m('express-session, route without session, with cookie'),
        ),
        ratio(
          'eager/lazy, route without session, with cookie',
          m('@nest-hive/session eager, route without session, with cookie') /
            m('@nest-hive/session, route without session, with cookie'),
        ),
      ],
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await deletePrefix(prefix);
  }
}

/**
 * Case 9: what `eager: true` costs, on the memory store: a route that never
 * uses the session, lazy against eager, with a session cookie (eager reads the
 * store) and without one (eager makes an unsaved session, no store call).
 */
export async function eagerCostCase(context: BenchContext): Promise<CaseResult> {
  const servers = await startAll([
    ['nest-hive', { BENCH_SESSION: 'nest-hive' }],
    ['nest-hive eager', { BENCH_SESSION: 'nest-hive', BENCH_EAGER: '1' }],
    ['express-session', { BENCH_SESSION: 'express-session' }],
  ]);
  try {
    const [lazy, eager, express] = servers;
    const lazyCookie = await obtainCookie(`${lazy.url}/bench/visits`);
    const eagerCookie = await obtainCookie(`${eager.url}/bench/visits`);
    const expressCookie = await obtainCookie(`${express.url}/bench/visits`);
    const variants = await measureInterleaved(context, [
      { name: 'lazy, without cookie', load: { url: `${lazy.url}/bench/none` } },
      { name: 'eager, without cookie', load: { url: `${eager.url}/bench/none` } },
      { name: 'lazy, with cookie', load: { url: `${lazy.url}/bench/none`, headers: { cookie: lazyCookie } } },
      {
        name: 'eager, with cookie',
        load: { url: `${eager.url}/bench/none`, headers: { cookie: eagerCookie } },
      },
      {
        name: 'express-session, with cookie',
        load: { url: `${express.url}/bench/none`, headers: { cookie: expressCookie } },
      },
      {
        name: 'eager, writes, existing session',
        load: { url: `${eager.url}/bench/visits`, headers: { cookie: eagerCookie } },
      },
      {
        name: 'lazy, writes, existing session',
        load: { url: `${lazy.url}/bench/visits`, headers: { cookie: lazyCookie } },
      },
    ]);
    const m = (name: string) => median(variants, name);
    return {
      id: '9',
      title: 'eager: true, memory store, route that never uses the session',
      variants,
      ratios: [
        ratio('eager/lazy without cookie', m('eager, without cookie') / m('lazy, without cookie')),
        ratio('eager/lazy with cookie', m('eager, with cookie') / m('lazy, with cookie')),
        ratio(
          'eager/express-session with cookie',
          m('eager, with cookie') / m('express-session, with cookie'),
        ),
        ratio(
          'eager/lazy, session-writing route',
          m('eager, writes, existing session') / m('lazy, writes, existing session'),
        ),
      ],
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
