/**
 * `npm run bench` — runs every benchmark case and prints a Markdown table;
 * writes every figure to bench/results/latest.json.
 *   --quick        1 s per run and one round, cases 1, 2, 4, 5 and 7 unless --only names others
 *                  (under 2 minutes)
 *   --only=1,2,7   run only these cases (8 and 9: express-session stores and eager loading; 10: metrics;
 *                  1f and 2f: cases 1 and 2 on Fastify; 12: event-loop delay of the file store's process)
 *   --rounds=5     measured runs per variant (default 3; more steady the medians on a busy machine)
 * Exits non-zero only when a case fails to run; missed targets are reported.
 */
import type { BenchContext } from './lib/bench-context.js';
import { parseBenchArgs } from './lib/bench-args.js';
import type { CaseResult } from './lib/report.js';
import { toMarkdown } from './lib/report.js';
import { machineInfo, writeResultsFile } from './lib/results-file.js';
import { ipcCase, scaleCase, sharedSessionsCase } from './cases/cluster.cases.js';
import { eagerCostCase, expressStoreCase } from './cases/express-store.cases.js';
import { fileStoreDelayCase } from './cases/file-store.case.js';
import { fastifySessionOverheadCase, fastifySessionWriteCase } from './cases/fastify-session.cases.js';
import { memoryCase } from './cases/memory.case.js';
import { metricsCase } from './cases/metrics.case.js';
import { socketFanoutCase } from './cases/socket.cases.js';
import { sessionOverheadCase, sessionWriteCase, storeLatencyCase } from './cases/session-http.cases.js';

const { context, only: asked } = parseBenchArgs(process.argv.slice(2));
const { quick } = context;
/**
 * The cases `--quick` runs without `--only`: the session routes on Express, IPC, the shared stores
 * and memory (about 90 s on the 2-core machine). Fastify (1f, 2f), the store latency (3), the
 * WebSockets (6, 11), the express-session stores and eager loading (8, 9), metrics (10) and the
 * file store's event-loop delay (12) take another 2 minutes: name them with `--only`.
 */
const QUICK_CASES = ['1', '2', '4', '5', '7'];
const only = asked ?? (quick ? QUICK_CASES : undefined);

const cases: Array<[string, (c: BenchContext) => Promise<CaseResult>]> = [
  ['1', sessionOverheadCase],
  ['2', sessionWriteCase],
  ['1f', fastifySessionOverheadCase],
  ['2f', fastifySessionWriteCase],
  ['3', storeLatencyCase],
  ['4', ipcCase],
  ['5', sharedSessionsCase],
  ['6', scaleCase],
  ['7', memoryCase],
  ['8', expressStoreCase],
  ['9', eagerCostCase],
  ['10', metricsCase],
  ['11', socketFanoutCase],
  ['12', fileStoreDelayCase],
];

const results: CaseResult[] = [];
const started = Date.now();
for (const [id, run] of cases) {
  if (only && !only.includes(id)) continue;
  context.log(`case ${id}…`);
  results.push(await run(context));
}

const table = toMarkdown(results);
console.log(table);
const written = writeResultsFile('latest.json', {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  seconds: (Date.now() - started) / 1000,
  machine: machineInfo(),
  cases: results,
  table,
});
context.log(`\nwrote ${written} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
