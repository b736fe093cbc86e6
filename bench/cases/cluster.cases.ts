import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved, type LoadVariant } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import {
  cpuRatio,
  cpuVariants,
  ratio,
  type CaseResult,
  type RatioResult,
  type VariantResult,
} from '../lib/report.js';
import { BENCH_DIST, REPO_ROOT, startServer, type ServerProcess } from '../lib/server-process.js';
import { runIpcBench } from '../ipc/ipc-run.js';
import { IPC_VARIANTS, ipcVariants } from '../ipc/ipc-variants.js';
import { redisAvailable } from '../lib/redis-available.js';

const median = (variants: VariantResult[], name: string): number =>
  variants.find((v) => v.name === name)?.summary.median ?? Number.NaN;

async function stopAll(servers: ServerProcess[]): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}

/** Case 4: IPC primary ↔ 1 worker, raw Node against `ClusterService`, in one process tree. */
export async function ipcCase(context: BenchContext): Promise<CaseResult> {
  const report = await runIpcBench(context);
  for (let i = 0; i < report.raw.messagesPerSecond.length; i++) {
    context.log(
      `  IPC round ${i + 1}: raw ${Math.round(report.raw.messagesPerSecond[i] ?? 0)} msg/s, ` +
        `${report.raw.roundTripP50Us[i]} µs p50; nest-hive ${Math.round(report.hive.messagesPerSecond[i] ?? 0)} msg/s, ` +
        `${report.hive.roundTripP50Us[i]} µs p50`,
    );
  }
  const variants = ipcVariants(report);
  const m = (name: string) => median(variants, name);
  return {
    id: '4',
    title: 'IPC, primary ↔ 1 worker, ~100 B JSON',
    variants,
    ratios: [
      ratio('send throughput / raw', m(IPC_VARIANTS.hiveSend) / m(IPC_VARIANTS.rawSend), {
        op: '>=',
        value: 0.8,
      }),
      ratio('request p50 / raw', m(IPC_VARIANTS.hiveP50) / m(IPC_VARIANTS.rawP50), {
        op: '<=',
        value: 1.25,
      }),
      ratio('request p99 / raw', m(IPC_VARIANTS.hiveP99) / m(IPC_VARIANTS.rawP99)),
    ],
  };
}

/** Case 5's variants: one server each, its store named by `BENCH_STORE`. */
const CASE_5 = {
  memory: 'per-worker MemorySessionStore',
  cluster: 'ClusterSessionStore, in memory (persistence: false)',
  uncached: 'ClusterSessionStore, in memory, no read cache (readCache: false)',
  file: "ClusterSessionStore, in a file (durability 'flush')",
  fileSync: "ClusterSessionStore, in a file (durability 'sync')",
  redis: 'RedisSessionStore',
} as const;
/** The reading route's variant on a server. */
const reads = (store: string): string => `${store}, reads a session`;
/** The variant of the route that never touches the session, on a server. */
const without = (store: string): string => `${store}, route without the session`;

/** A load of `path` on `server`, by the CPU time of all its processes (primary and workers). */
function onCluster(server: ServerProcess, name: string, path: string, cookie?: string): LoadVariant {
  return {
    name,
    load: { url: `${server.url}${path}`, ...(cookie && { headers: { cookie } }) },
    serverPid: server.child.pid,
    serverTree: true,
  };
}

/**
 * Case 5: a session-writing route on 2 workers (a new session each request): stores shared through
 * the primary or Redis against one memory store per worker; and the cluster store kept in a file
 * against the same store in the primary's memory, on that route and on a route that only reads a
 * session (one cookie, made once); and the reading route of each shared store (with and without
 * the workers' read cache, and Redis) against a route of the same server that never touches the
 * session. Ratios by the CPU time per request of every process of each server (primary and
 * workers), and by throughput.
 */
export async function sharedSessionsCase(context: BenchContext): Promise<CaseResult> {
  const app = `${BENCH_DIST}/servers/cluster-session-bench-app.js`;
  const withRedis = await redisAvailable();
  const servers: ServerProcess[] = [];
  try {
    const stores = [
      'memory',
      'cluster',
      'cluster-uncached',
      'file',
      'file-sync',
      ...(withRedis ? ['redis'] : []),
    ];
    for (const store of stores) servers.push(await startServer(store, app, { BENCH_STORE: store }));
    const [memory, shared, uncached, file, fileSync, redis] = servers;
    const sharedCookie = await obtainCookie(`${shared.url}/bench/visits`);
    const uncachedCookie = await obtainCookie(`${uncached.url}/bench/visits`);
    const fileCookie = await obtainCookie(`${file.url}/bench/visits`);
    const redisCookie = redis && (await obtainCookie(`${redis.url}/bench/visits`));
    const variants = await measureInterleaved(context, [
      onCluster(memory, CASE_5.memory, '/bench/visits'),
      onCluster(shared, CASE_5.cluster, '/bench/visits'),
      onCluster(file, CASE_5.file, '/bench/visits'),
      onCluster(fileSync, CASE_5.fileSync, '/bench/visits'),
      ...(redis ? [onCluster(redis, CASE_5.redis, '/bench/visits')] : []),
      onCluster(shared, reads(CASE_5.cluster), '/bench/read', sharedCookie),
      onCluster(file, reads(CASE_5.file), '/bench/read', fileCookie),
      onCluster(shared, without(CASE_5.cluster), '/bench/none'),
      onCluster(uncached, reads(CASE_5.uncached), '/bench/read', uncachedCookie),
      onCluster(uncached, without(CASE_5.uncached), '/bench/none'),
      ...(redis && redisCookie
        ? [
            onCluster(redis, reads(CASE_5.redis), '/bench/read', redisCookie),
            onCluster(redis, without(CASE_5.redis), '/bench/none'),
          ]
        : []),
    ]);
    const m = (name: string) => median(variants, name);
    const both = (label: string, ours: string, anchor: string, cpuTarget?: RatioResult['target']) => [
      ...cpuRatio(label, variants, ours, anchor, cpuTarget),
      ratio(`${label}, by throughput`, m(ours) / m(anchor)),
    ];
    return {
      id: '5',
      title: 'session routes on 2 workers: shared stores, and the cluster store in a file',
      variants: [...variants, ...cpuVariants(variants)],
      ratios: [
        ratio('cluster store / per-worker memory', m(CASE_5.cluster) / m(CASE_5.memory), {
          op: '>=',
          value: 0.7,
        }),
        ...cpuRatio('cluster store / per-worker memory', variants, CASE_5.cluster, CASE_5.memory),
        ...(redis ? [ratio('Redis store / per-worker memory', m(CASE_5.redis) / m(CASE_5.memory))] : []),
        ...both('file / memory cluster store, writes (new session)', CASE_5.file, CASE_5.cluster, {
          op: '>=',
          value: 0.9,
        }),
        ...both('file (sync) / memory cluster store, writes (new session)', CASE_5.fileSync, CASE_5.cluster),
        ...both('file / memory cluster store, reads', reads(CASE_5.file), reads(CASE_5.cluster), {
          op: '>=',
          value: 0.97,
        }),
        ...both(
          'cluster store, reads / route without the session',
          reads(CASE_5.cluster),
          without(CASE_5.cluster),
          {
            op: '>=',
            value: 0.92,
          },
        ),
        ...both(
          'cluster store without read cache, reads / route without the session',
          reads(CASE_5.uncached),
          without(CASE_5.uncached),
        ),
        ...(redis
          ? both(
              'Redis store, reads / route without the session',
              reads(CASE_5.redis),
              without(CASE_5.redis),
              {
                op: '>=',
                value: 0.88,
              },
            )
          : []),
      ],
    };
  } finally {
    await stopAll(servers);
  }
}

async function startDemo(workers: number, sticky = true): Promise<ServerProcess> {
  const server = await startServer(
    `demo, ${workers} worker(s)${sticky ? '' : ', sticky off'}`,
    `${REPO_ROOT}/apps/demo/dist/main.js`,
    {
      WORKERS: String(workers),
      DEMO_STICKY: sticky ? '1' : '0',
      PORT: String(await freePortNumber()),
      SESSION_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    },
    { readyPattern: /demo ready .*:(\d+)/ },
  );
  await sleep(200);
  return server;
}

async function freePortNumber(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Case 6: the demo's `/api/ping` on 1 worker against 2 (the load generator shares the 2 cores), and
 * 2 workers with sticky engine.io sessions on (the demo's default) against off.
 */
export async function scaleCase(context: BenchContext): Promise<CaseResult> {
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startDemo(1));
    servers.push(await startDemo(2));
    servers.push(await startDemo(2, false));
    const [one, two, twoPlain] = servers;
    const variants = await measureInterleaved(context, [
      { name: 'demo /api/ping, 1 worker', load: { url: `${one.url}/api/ping` } },
      { name: 'demo /api/ping, 2 workers', load: { url: `${two.url}/api/ping` } },
      { name: 'demo /api/ping, 2 workers, sticky off', load: { url: `${twoPlain.url}/api/ping` } },
    ]);
    return {
      id: '6',
      title: 'scale: demo /api/ping',
      variants,
      ratios: [
        ratio(
          '2 workers / 1 worker',
          median(variants, 'demo /api/ping, 2 workers') / median(variants, 'demo /api/ping, 1 worker'),
          undefined,
          '2 cores shared with the load generator',
        ),
        ratio(
          'sticky on / sticky off (2 workers)',
          median(variants, 'demo /api/ping, 2 workers') /
            median(variants, 'demo /api/ping, 2 workers, sticky off'),
          { op: '>=', value: 0.9 },
          'plain HTTP through the sticky request router',
        ),
      ],
    };
  } finally {
    await stopAll(servers);
  }
}
