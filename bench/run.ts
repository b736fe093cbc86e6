/**
 * `npm run bench` — runs every benchmark case and prints a Markdown table;
 * writes every figure to bench/results/latest.json.
 *   --quick        a few seconds per run (under 2 minutes in all)
 *   --only=1,2,7   run only these cases (8 and 9: express-session stores and eager loading; 10: metrics)
 *   --rounds=5     measured runs per variant (default 3; more steady the medians on a busy machine)
 * Exits non-zero only when a case fails to run; missed targets are reported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { BenchContext } from './lib/bench-context.js';
import type { CaseResult } from './lib/report.js';
import { toMarkdown } from './lib/report.js';
import { REPO_ROOT } from './lib/server-process.js';
import { ipcCase, scaleCase, sharedSessionsCase } from './cases/cluster.cases.js';
import { eagerCostCase, expressStoreCase } from './cases/express-store.cases.js';
import { memoryCase } from './cases/memory.case.js';
import { metricsCase } from './cases/metrics.case.js';
import { socketFanoutCase } from './cases/socket.cases.js';
import { sessionOverheadCase, sessionWriteCase, storeLatencyCase } from './cases/session-http.cases.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

const roundsArg = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
if (!Number.isInteger(roundsArg) || roundsArg < 1)
  throw new Error('--rounds takes a whole number of runs, 1 or more');

const context: BenchContext = {
  quick,
  durationSeconds: quick ? 1.5 : 5,
  warmupSeconds: quick ? 0.5 : 1.5,
  rounds: roundsArg,
  log: (message) => console.error(message),
};

const cases: Array<[string, (c: BenchContext) => Promise<CaseResult>]> = [
  ['1', sessionOverheadCase],
  ['2', sessionWriteCase],
  ['3', storeLatencyCase],
  ['4', ipcCase],
  ['5', sharedSessionsCase],
  ['6', scaleCase],
  ['7', memoryCase],
  ['8', expressStoreCase],
  ['9', eagerCostCase],
  ['10', metricsCase],
  ['11', socketFanoutCase],
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
const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
mkdirSync(`${REPO_ROOT}/bench/results`, { recursive: true });
writeFileSync(
  `${REPO_ROOT}/bench/results/latest.json`,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      seconds: (Date.now() - started) / 1000,
      machine,
      cases: results,
      table,
    },
    null,
    2,
  )}\n`,
);
context.log(`\nwrote bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
