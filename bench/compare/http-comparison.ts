import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved, type LoadVariant } from '../lib/interleave.js';
import { collectCookies, obtainCookie } from '../lib/load.js';
import { cpuVariants, type VariantResult } from '../lib/report.js';
import { startServer, type ServerProcess } from '../lib/server-process.js';
import {
  COOKIE_ROUTE,
  LOGIN_ROUTE,
  SESSION_OWNER_ROUTES,
  SESSION_UNUSED_ROUTES,
  SESSION_USING_ROUTES,
  type SessionBenchRoute,
} from '../lib/session-bench-routes.js';
import { mapPair, PAIR_ORDER, scriptOf, type Build, type Pair } from './builds.js';
import { compareRow, type ComparisonRow } from './comparison.js';

/** An HTTP case of `npm run bench`, as compared between two builds: our session module only. */
export interface HttpComparison {
  id: string;
  title: string;
  /** The bench server, relative to `dist-test/bench` in each build. */
  script: string;
  /** Its environment, the same for both builds. */
  env: Readonly<Record<string, string>>;
  routes: readonly SessionBenchRoute[];
  /** Where its session cookies come from (`valid` and `one-each` routes); default {@link COOKIE_ROUTE}. */
  cookieRoute?: string;
  /** Whether its servers need a Redis at REDIS_URL (default 127.0.0.1:6379): skipped without one. */
  needsRedis?: boolean;
}

const OWNERS_SCRIPT = 'servers/owner-session-bench-app.js';
const EXPRESS = { script: 'servers/session-bench-app.js', env: { BENCH_SESSION: 'nest-hive' } } as const;
const FASTIFY = {
  script: 'servers/fastify-session-bench-app.js',
  env: { BENCH_SESSION: 'nest-hive' },
} as const;

/** Cases 1, 2, 1f and 2f with `@nest-hive/session`: the same servers and routes as theirs. */
export const HTTP_COMPARISONS: readonly HttpComparison[] = [
  { id: '1', title: 'route that never uses the session', ...EXPRESS, routes: SESSION_UNUSED_ROUTES },
  { id: '2', title: 'routes that use the session', ...EXPRESS, routes: SESSION_USING_ROUTES },
  {
    id: '1f',
    title: 'Fastify: route that never uses the session',
    ...FASTIFY,
    routes: SESSION_UNUSED_ROUTES,
  },
  { id: '2f', title: 'Fastify: routes that use the session', ...FASTIFY, routes: SESSION_USING_ROUTES },
  {
    id: '2u',
    title: 'logged-in sessions, memory store',
    script: OWNERS_SCRIPT,
    env: { BENCH_OWNER_STORE: 'memory' },
    routes: SESSION_OWNER_ROUTES,
    cookieRoute: LOGIN_ROUTE,
  },
  {
    id: '2ur',
    title: 'logged-in sessions, Redis store',
    script: OWNERS_SCRIPT,
    env: { BENCH_OWNER_STORE: 'redis' },
    routes: SESSION_OWNER_ROUTES,
    cookieRoute: LOGIN_ROUTE,
    needsRedis: true,
  },
];

/**
 * Sessions made for each run of a `one-each` route (a logout), measured or warm-up: as many as
 * that route serves in about a run's time here (a logout on the memory store: some 2 000 a second
 * on a loaded 2-core machine).
 */
function sessionsPerRun(context: BenchContext, warmup: boolean): number {
  const seconds = warmup ? context.warmupSeconds : context.durationSeconds;
  return Math.round(seconds * 2_000);
}

/** A server per build; with `fresh`, another per build for the new-session routes. */
interface ComparisonServers {
  main: Pair<ServerProcess>;
  fresh: Pair<ServerProcess> | undefined;
}

async function startPair(
  comparison: HttpComparison,
  builds: Pair<Build>,
  suffix: string,
  started: ServerProcess[],
): Promise<Pair<ServerProcess>> {
  const servers: Partial<Pair<ServerProcess>> = {};
  for (const key of PAIR_ORDER) {
    const build = builds[key];
    const server = await startServer(
      `${build.label} ${comparison.id}${suffix}`,
      scriptOf(build, comparison.script),
      { ...comparison.env },
      { cwd: build.root },
    );
    started.push(server);
    servers[key] = server;
  }
  const { base, current } = servers;
  if (!base || !current) throw new Error('both servers should have started');
  return { base, current };
}

const variantName = (build: Build, route: SessionBenchRoute): string => `${build.label}, ${route.label}`;

function findVariant(variants: VariantResult[], name: string): VariantResult {
  const found = variants.find((variant) => variant.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found;
}

/**
 * Runs one HTTP case on both builds' bench servers (same script, same
 * environment, each in its own checkout): a session cookie from each server,
 * then every route on both, interleaved (base, this, base, this, …). Two rows
 * per route: server CPU per request, and throughput.
 */
export async function runHttpComparison(
  context: BenchContext,
  comparison: HttpComparison,
  builds: Pair<Build>,
): Promise<ComparisonRow[]> {
  const started: ServerProcess[] = [];
  try {
    const servers: ComparisonServers = {
      main: await startPair(comparison, builds, '', started),
      fresh: comparison.routes.some((route) => route.cookie === 'new-sessions')
        ? await startPair(comparison, builds, ', new sessions', started)
        : undefined,
    };
    const cookieRoute = comparison.cookieRoute ?? COOKIE_ROUTE;
    const cookies = {
      base: await obtainCookie(`${servers.main.base.url}${cookieRoute}`),
      current: await obtainCookie(`${servers.main.current.url}${cookieRoute}`),
    };
    const loads: LoadVariant[] = comparison.routes.flatMap((route) =>
      PAIR_ORDER.map((key): LoadVariant => {
        const server = (route.cookie === 'new-sessions' ? (servers.fresh ?? servers.main) : servers.main)[
          key
        ];
        return {
          name: variantName(builds[key], route),
          load: {
            url: `${server.url}${route.path}`,
            ...(route.cookie === 'valid' && { headers: { cookie: cookies[key] } }),
          },
          serverPid: server.child.pid,
          ...(route.cookie === 'one-each' && {
            cookiesPerRun: (warmup: boolean) =>
              collectCookies(`${server.url}${cookieRoute}`, sessionsPerRun(context, warmup)),
          }),
        };
      }),
    );
    const measured = await measureInterleaved(context, loads);
    const cpu = cpuVariants(measured);
    return comparison.routes.flatMap((route) => {
      const names = mapPair(builds, (build) => variantName(build, route));
      const rows = [
        compareRow(
          comparison.id,
          comparison.title,
          `${route.label}, throughput`,
          mapPair(names, (name) => findVariant(measured, name)),
        ),
      ];
      const cpuNames = mapPair(names, (name) => `${name}, server CPU`);
      if (cpu.some((v) => v.name === cpuNames.base) && cpu.some((v) => v.name === cpuNames.current)) {
        rows.unshift(
          compareRow(
            comparison.id,
            comparison.title,
            `${route.label}, server CPU`,
            mapPair(cpuNames, (name) => findVariant(cpu, name)),
          ),
        );
      }
      return rows;
    });
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
}
