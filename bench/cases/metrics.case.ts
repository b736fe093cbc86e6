import { request } from 'node:http';
import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved } from '../lib/interleave.js';
import { cpuRatio, cpuVariants, ratio, type CaseResult, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, startServer, type ServerProcess } from '../lib/server-process.js';
import { percentile, summarize } from '../lib/stats.js';

/** One GET over a new connection (so the round robin spreads the scrapes); its time in ms. */
function timedGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => {
        if (res.statusCode === 200) resolve(performance.now() - started);
        else reject(new Error(`${url} answered ${res.statusCode}`));
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${url} timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/**
 * Case 10: what cluster-wide metrics cost. The server CPU per request counts the primary and both
 * workers (the process tree), which the neighbours' load hardly moves. Scrape latency of `/metrics` on 2 workers (one at a
 * time, idle cluster: p50 and p99 per round), and the requests per second of a session-writing
 * route with metrics collection on against off.
 */
export async function metricsCase(context: BenchContext): Promise<CaseResult> {
  const app = `${BENCH_DIST}/servers/metrics-bench-app.js`;
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServer('metrics off', app, { BENCH_METRICS: '0' }));
    servers.push(await startServer('metrics on', app, { BENCH_METRICS: '1' }));
    const [off, on] = servers;
    const scrapes = context.quick ? 100 : 300;
    const p50: number[] = [];
    const p99: number[] = [];
    for (let i = 0; i < 20; i++) await timedGet(`${on.url}/metrics`); // warm-up
    for (let round = 0; round < context.rounds; round++) {
      const times: number[] = [];
      for (let i = 0; i < scrapes; i++) times.push(await timedGet(`${on.url}/metrics`));
      p50.push(percentile(times, 50));
      p99.push(percentile(times, 99));
      context.log(
        `  /metrics round ${round + 1}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
      );
    }
    const load = await measureInterleaved(context, [
      {
        name: 'session-writing route, metrics off',
        load: { url: `${off.url}/bench/visits` },
        serverPid: off.child.pid,
        serverTree: true,
      },
      {
        name: 'session-writing route, metrics on',
        load: { url: `${on.url}/bench/visits` },
        serverPid: on.child.pid,
        serverTree: true,
      },
    ]);
    const variants: VariantResult[] = [
      {
        name: `/metrics scrape p50 (${scrapes} per round)`,
        unit: 'ms',
        summary: summarize(p50),
        higherIsBetter: false,
      },
      {
        name: `/metrics scrape p99 (${scrapes} per round)`,
        unit: 'ms',
        summary: summarize(p99),
        higherIsBetter: false,
      },
      ...load,
      ...cpuVariants(load),
    ];
    const median = (name: string): number => load.find((v) => v.name === name)?.summary.median ?? Number.NaN;
    return {
      id: '10',
      title: 'cluster-wide metrics on 2 workers',
      variants,
      ratios: [
        ratio(
          'req/s metrics on / off',
          median('session-writing route, metrics on') / median('session-writing route, metrics off'),
          { op: '>=', value: 0.97 },
        ),
        ...cpuRatio(
          'req/s metrics on / off',
          load,
          'session-writing route, metrics on',
          'session-writing route, metrics off',
          { op: '>=', value: 0.97 },
        ),
      ],
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
