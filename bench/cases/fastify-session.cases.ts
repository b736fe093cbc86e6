import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved, type LoadVariant } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import { cpuRatio, cpuVariants, ratio, type CaseResult, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, startServer, type ServerProcess } from '../lib/server-process.js';
import { COOKIE_ROUTE, UNUSED_ROUTE } from '../lib/session-bench-routes.js';
import { CALIBRATION_ENV, sessionRoutesCase } from './session-routes.js';

const APP = `${BENCH_DIST}/servers/fastify-session-bench-app.js`;

/** Fastify servers of the given modes, started together and stopped together. */
async function withFastifyServers<T>(
  modes: Array<string | readonly [mode: string, env: Readonly<Record<string, string>>]>,
  run: (servers: ServerProcess[]) => Promise<T>,
): Promise<T> {
  const started: ServerProcess[] = [];
  try {
    for (const spec of modes) {
      const [mode, env] = typeof spec === 'string' ? [spec, {}] : spec;
      started.push(await startServer(`fastify ${mode}`, APP, { BENCH_SESSION: mode, ...env }));
    }
    return await run(started);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}

const median = (variants: VariantResult[], name: string): number => {
  const found = variants.find((v) => v.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found.summary.median;
};

const variant = (name: string, server: ServerProcess, path: string, cookie?: string): LoadVariant => ({
  name,
  load: { url: `${server.url}${path}`, ...(cookie && { headers: { cookie } }) },
  serverPid: server.child.pid,
});

/** Case 1f: case 1 on Fastify, against `@fastify/session` and no session module. */
export async function fastifySessionOverheadCase(context: BenchContext): Promise<CaseResult> {
  return withFastifyServers(['none', 'fastify-session', 'nest-hive'], async ([none, anchor, ours]) => {
    const anchorCookie = await obtainCookie(`${anchor.url}${COOKIE_ROUTE}`);
    const ourCookie = await obtainCookie(`${ours.url}${COOKIE_ROUTE}`);
    const variants = await measureInterleaved(context, [
      variant('(a) Fastify, no session module', none, UNUSED_ROUTE),
      variant('(b) @fastify/session', anchor, UNUSED_ROUTE),
      variant('(c) @nest-hive/session', ours, UNUSED_ROUTE),
      variant('(a) Fastify, no session module, with cookie', none, UNUSED_ROUTE, ourCookie),
      variant('(b) @fastify/session, with cookie', anchor, UNUSED_ROUTE, anchorCookie),
      variant('(c) @nest-hive/session, with cookie', ours, UNUSED_ROUTE, ourCookie),
    ]);
    const m = (name: string) => median(variants, name);
    const target = { op: '>=', value: 0.99 } as const;
    return {
      id: '1f',
      title: 'Fastify: route that never uses the session',
      variants: [...variants, ...cpuVariants(variants)],
      ratios: [
        ...cpuRatio(
          '(c)/(a) without cookie',
          variants,
          '(c) @nest-hive/session',
          '(a) Fastify, no session module',
          target,
        ),
        ...cpuRatio(
          '(c)/(a) with cookie',
          variants,
          '(c) @nest-hive/session, with cookie',
          '(a) Fastify, no session module, with cookie',
          target,
        ),
        ratio(
          '(c)/(a) without cookie',
          m('(c) @nest-hive/session') / m('(a) Fastify, no session module'),
          target,
        ),
        ratio(
          '(c)/(a) with cookie',
          m('(c) @nest-hive/session, with cookie') / m('(a) Fastify, no session module, with cookie'),
          target,
        ),
        ratio('(b)/(a) without cookie', m('(b) @fastify/session') / m('(a) Fastify, no session module')),
        ratio(
          '(b)/(a) with cookie',
          m('(b) @fastify/session, with cookie') / m('(a) Fastify, no session module, with cookie'),
        ),
      ],
    };
  });
}

/** Case 2f: case 2 on Fastify, against `@fastify/session` and no session module. */
export async function fastifySessionWriteCase(context: BenchContext): Promise<CaseResult> {
  return withFastifyServers(
    ['none', ['none', CALIBRATION_ENV], 'fastify-session', 'nest-hive', 'fastify-session', 'nest-hive'],
    ([none, calibration, other, ours, otherForNew, oursForNew]) =>
      sessionRoutesCase(
        context,
        {
          id: '2f',
          title: 'Fastify: routes that use the session',
          none: '(a) Fastify, no session module',
          other: '(b) @fastify/session',
        },
        { none, calibration, other, ours, otherForNew, oursForNew },
      ),
  );
}
