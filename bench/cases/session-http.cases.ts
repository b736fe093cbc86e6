import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import { cpuRatio, cpuVariants, ratio, type CaseResult, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, startServer, type ServerProcess } from '../lib/server-process.js';
import { COOKIE_ROUTE, UNUSED_ROUTE } from '../lib/session-bench-routes.js';
import { CALIBRATION_ENV, sessionRoutesCase } from './session-routes.js';

const APP = `${BENCH_DIST}/servers/session-bench-app.js`;

async function withServers<T>(
  specs: Array<[name: string, env: Record<string, string>]>,
  run: (servers: ServerProcess[]) => Promise<T>,
): Promise<T> {
  const servers: ServerProcess[] = [];
  try {
    for (const [name, env] of specs) servers.push(await startServer(name, APP, env));
    return await run(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const median = (variants: VariantResult[], name: string): number => {
  const found = variants.find((v) => v.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found.summary.median;
};

/** Case 1: a route that never uses the session, with and without a session cookie. */
export async function sessionOverheadCase(context: BenchContext): Promise<CaseResult> {
  return withServers(
    [
      ['none', { BENCH_SESSION: 'none' }],
      ['express-session', { BENCH_SESSION: 'express-session' }],
      ['nest-hive', { BENCH_SESSION: 'nest-hive' }],
    ],
    async ([none, express, ours]) => {
      const expressCookie = await obtainCookie(`${express.url}${COOKIE_ROUTE}`);
      const ourCookie = await obtainCookie(`${ours.url}${COOKIE_ROUTE}`);
      const variants = await measureInterleaved(context, [
        {
          name: '(a) no session module',
          load: { url: `${none.url}${UNUSED_ROUTE}` },
          serverPid: none.child.pid,
        },
        {
          name: '(b) express-session',
          load: { url: `${express.url}${UNUSED_ROUTE}` },
          serverPid: express.child.pid,
        },
        {
          name: '(c) @nest-hive/session',
          load: { url: `${ours.url}${UNUSED_ROUTE}` },
          serverPid: ours.child.pid,
        },
        {
          name: '(a) no session module, with cookie',
          load: { url: `${none.url}${UNUSED_ROUTE}`, headers: { cookie: ourCookie } },
          serverPid: none.child.pid,
        },
        {
          name: '(b) express-session, with cookie',
          load: { url: `${express.url}${UNUSED_ROUTE}`, headers: { cookie: expressCookie } },
          serverPid: express.child.pid,
        },
        {
          name: '(c) @nest-hive/session, with cookie',
          load: { url: `${ours.url}${UNUSED_ROUTE}`, headers: { cookie: ourCookie } },
          serverPid: ours.child.pid,
        },
      ]);
      const m = (name: string) => median(variants, name);
      return {
        id: '1',
        title: 'route that never uses the session',
        variants: [...variants, ...cpuVariants(variants)],
        ratios: [
          ...cpuRatio('(c)/(a) without cookie', variants, '(c) @nest-hive/session', '(a) no session module', {
            op: '>=',
            value: 0.99,
          }),
          ...cpuRatio(
            '(c)/(a) with cookie',
            variants,
            '(c) @nest-hive/session, with cookie',
            '(a) no session module, with cookie',
            { op: '>=', value: 0.99 },
          ),
          ratio('(c)/(a) without cookie', m('(c) @nest-hive/session') / m('(a) no session module'), {
            op: '>=',
            value: 0.99,
          }),
          ratio(
            '(c)/(a) with cookie',
            m('(c) @nest-hive/session, with cookie') / m('(a) no session module, with cookie'),
            {
              op: '>=',
              value: 0.99,
            },
          ),
          ratio('(b)/(a) without cookie', m('(b) express-session') / m('(a) no session module')),
          ratio(
            '(b)/(a) with cookie',
            m('(b) express-session, with cookie') / m('(a) no session module, with cookie'),
          ),
        ],
      };
    },
  );
}

/**
 * Case 2: routes that use the session (read, change, new session each
 * request), against the same routes without a session module and with
 * express-session.
 */
export async function sessionWriteCase(context: BenchContext): Promise<CaseResult> {
  return withServers(
    [
      ['none', { BENCH_SESSION: 'none' }],
      ['none, calibration', { BENCH_SESSION: 'none', ...CALIBRATION_ENV }],
      ['express-session', { BENCH_SESSION: 'express-session' }],
      ['nest-hive', { BENCH_SESSION: 'nest-hive' }],
      ['express-session, new sessions', { BENCH_SESSION: 'express-session' }],
      ['nest-hive, new sessions', { BENCH_SESSION: 'nest-hive' }],
    ],
    ([none, calibration, other, ours, otherForNew, oursForNew]) =>
      sessionRoutesCase(
        context,
        {
          id: '2',
          title: 'routes that use the session',
          none: '(a) no session module',
          other: '(b) express-session',
        },
        { none, calibration, other, ours, otherForNew, oursForNew },
      ),
  );
}

/** Case 3: case 1 with a cookie, when every store call takes 1 ms more. */
export async function storeLatencyCase(context: BenchContext): Promise<CaseResult> {
  return withServers(
    [
      ['express-session', { BENCH_SESSION: 'express-session', BENCH_STORE_DELAY_MS: '1' }],
      ['nest-hive', { BENCH_SESSION: 'nest-hive', BENCH_STORE_DELAY_MS: '1' }],
    ],
    async ([express, ours]) => {
      const expressCookie = await obtainCookie(`${express.url}${COOKIE_ROUTE}`);
      const ourCookie = await obtainCookie(`${ours.url}${COOKIE_ROUTE}`);
      const variants = await measureInterleaved(context, [
        {
          name: 'express-session, 1 ms store, with cookie',
          load: { url: `${express.url}${UNUSED_ROUTE}`, headers: { cookie: expressCookie } },
        },
        {
          name: '@nest-hive/session, 1 ms store, with cookie',
          load: { url: `${ours.url}${UNUSED_ROUTE}`, headers: { cookie: ourCookie } },
        },
      ]);
      const m = (name: string) => median(variants, name);
      return {
        id: '3',
        title: 'store 1 ms away, route that never uses the session',
        variants,
        ratios: [
          ratio(
            'ours/express-session',
            m('@nest-hive/session, 1 ms store, with cookie') / m('express-session, 1 ms store, with cookie'),
            { op: '>=', value: 1.5 },
          ),
        ],
      };
    },
  );
}
