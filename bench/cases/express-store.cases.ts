import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved, type LoadVariant } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import { redisAvailable } from '../lib/redis-available.js';
import { cpuRatio, cpuVariants, ratio, type CaseResult, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, startServer, type ServerProcess } from '../lib/server-process.js';

const APP = `${BENCH_DIST}/servers/session-bench-app.js`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const median = (variants: VariantResult[], name: string): number => {
  const found = variants.find((v) => v.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found.summary.median;
};

/** A load on `server`'s `path`, with its CPU time per request recorded. */
function on(server: ServerProcess, name: string, path: string, cookie?: string): LoadVariant {
  return {
    name,
    load: { url: `${server.url}${path}`, ...(cookie && { headers: { cookie } }) },
    serverPid: server.child.pid,
  };
}

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

/** A ratio of a case: its label, our variant, the anchor's, and the target if any. */
type Pair = [label: string, ours: string, anchor: string, target?: { op: '>=' | '<='; value: number }];

const PAIRS_8: Pair[] = [
  [
    'ours/express-session, writes, new session',
    '@nest-hive/session, writes, new session each request',
    'express-session, writes, new session each request',
    { op: '>=', value: 1.0 },
  ],
  [
    'ours/express-session, writes, existing session',
    '@nest-hive/session, writes, existing session',
    'express-session, writes, existing session',
    { op: '>=', value: 1.0 },
  ],
  [
    'ours/express-session, route without session, with cookie',
    '@nest-hive/session, route without session, with cookie',
    'express-session, route without session, with cookie',
    { op: '>=', value: 1.5 },
  ],
  [
    'ceiling: no session module/express-session, route without session, with cookie',
    'no session module, with cookie',
    'express-session, route without session, with cookie',
  ],
  [
    'eager/express-session, route without session, with cookie',
    '@nest-hive/session eager, route without session, with cookie',
    'express-session, route without session, with cookie',
  ],
  [
    'eager/lazy, route without session, with cookie',
    '@nest-hive/session eager, route without session, with cookie',
    '@nest-hive/session, route without session, with cookie',
  ],
];

const PAIRS_9: Pair[] = [
  ['eager/lazy without cookie', 'eager, without cookie', 'lazy, without cookie'],
  ['eager/lazy with cookie', 'eager, with cookie', 'lazy, with cookie'],
  ['eager/express-session with cookie', 'eager, with cookie', 'express-session, with cookie'],
  ['eager/lazy, session-writing route', 'eager, writes, existing session', 'lazy, writes, existing session'],
];

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
    ['no session module', { BENCH_SESSION: 'none' }],
    ['express-session', { ...store, BENCH_SESSION: 'express-session', BENCH_REDIS_PREFIX: `${prefix}es:` }],
    ['nest-hive', { ...store, BENCH_SESSION: 'nest-hive', BENCH_REDIS_PREFIX: `${prefix}nh:` }],
    [
      'nest-hive eager',
      { ...store, BENCH_SESSION: 'nest-hive', BENCH_EAGER: '1', BENCH_REDIS_PREFIX: `${prefix}nhe:` },
    ],
  ]);
  try {
    const [none, express, ours, eager] = servers;
    const expressCookie = await obtainCookie(`${express.url}/bench/visits`);
    const ourCookie = await obtainCookie(`${ours.url}/bench/visits`);
    const eagerCookie = await obtainCookie(`${eager.url}/bench/visits`);
    const variants = await measureInterleaved(context, [
      on(express, 'express-session, writes, new session each request', '/bench/visits'),
      on(ours, '@nest-hive/session, writes, new session each request', '/bench/visits'),
      on(express, 'express-session, writes, existing session', '/bench/visits', expressCookie),
      on(ours, '@nest-hive/session, writes, existing session', '/bench/visits', ourCookie),
      on(express, 'express-session, route without session, with cookie', '/bench/none', expressCookie),
      on(ours, '@nest-hive/session, route without session, with cookie', '/bench/none', ourCookie),
      on(eager, '@nest-hive/session eager, route without session, with cookie', '/bench/none', eagerCookie),
      on(none, 'no session module, with cookie', '/bench/none', ourCookie),
    ]);
    const m = (name: string) => median(variants, name);
    return {
      id: '8',
      title,
      variants: [...variants, ...cpuVariants(variants)],
      ratios: PAIRS_8.flatMap(([label, ours, anchor, target]) => [
        ratio(label, m(ours) / m(anchor), target),
        ...cpuRatio(label, variants, ours, anchor, target),
      ]),
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
      on(lazy, 'lazy, without cookie', '/bench/none'),
      on(eager, 'eager, without cookie', '/bench/none'),
      on(lazy, 'lazy, with cookie', '/bench/none', lazyCookie),
      on(eager, 'eager, with cookie', '/bench/none', eagerCookie),
      on(express, 'express-session, with cookie', '/bench/none', expressCookie),
      on(eager, 'eager, writes, existing session', '/bench/visits', eagerCookie),
      on(lazy, 'lazy, writes, existing session', '/bench/visits', lazyCookie),
    ]);
    const m = (name: string) => median(variants, name);
    return {
      id: '9',
      title: 'eager: true, memory store, route that never uses the session',
      variants: [...variants, ...cpuVariants(variants)],
      ratios: PAIRS_9.flatMap(([label, ours, anchor, target]) => [
        ratio(label, m(ours) / m(anchor), target),
        ...cpuRatio(label, variants, ours, anchor, target),
      ]),
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
