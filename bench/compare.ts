/**
 * `npm run bench:compare -- --base=<root>`: this tree's build against another
 * built checkout of the repository (say, the previous main), in the same run
 * and interleaved (base, this, base, this, …), to show that a refactor changed
 * no speed. Each side runs its own compiled bench scripts, in its own checkout.
 *   --base=/tmp/base   root of the other checkout, already built (`npm run build` there)
 *   --only=1,2,1f,2f,2u,2ur,4  the cases to compare (default all seven), as `npm run bench` numbers them:
 *                      1 and 2 (Express) and 1f and 2f (Fastify) with `@nest-hive/session`, by
 *                      server CPU per request and by throughput; 4, IPC through `ClusterService`.
 *                      Two more of its own (Express, option `users`: the per-user index's work):
 *                      2u, logged-in sessions on the memory store (login, read, change, logout;
 *                      bench/servers/owner-session-bench-app.ts), and 2ur, the same on the Redis
 *                      store at REDIS_URL (default 127.0.0.1:6379; skipped without a Redis). A
 *                      base from before these cases needs that server file copied into its
 *                      bench/servers/ and built there
 *   --rounds=5         measured runs per build and figure (default 5)
 *   --quick            a few seconds per run
 * Prints a Markdown table (ratios as speed, this/base: above 1, this build is
 * faster; outside ±3 % flagged) and writes bench/results/compare-latest.json.
 * Exits non-zero only when a run fails; a flagged ratio is information.
 */
import { argValue, parseBenchArgs } from './lib/bench-args.js';
import { machineInfo, writeResultsFile } from './lib/results-file.js';
import { resolveBuilds } from './compare/builds.js';
import { comparisonMarkdown, TOLERANCE, type ComparisonRow } from './compare/comparison.js';
import { HTTP_COMPARISONS, runHttpComparison } from './compare/http-comparison.js';
import { runIpcComparison } from './compare/ipc-comparison.js';
import { redisAvailable } from './lib/redis-available.js';

const args = process.argv.slice(2);
const { context, only } = parseBenchArgs(args, 5);
const baseRoot = argValue(args, 'base');
if (!baseRoot) throw new Error('--base=<root of another built checkout of the repository> is required');
const builds = resolveBuilds(baseRoot);
if (builds.base.root === builds.current.root) {
  context.log('base is this tree: an A/A run, whose ratios show the noise alone');
}

const IPC_ID = '4';
const ids = [...HTTP_COMPARISONS.map((c) => c.id), IPC_ID];
const unknown = only?.filter((id) => !ids.includes(id)) ?? [];
if (unknown.length > 0) throw new Error(`--only: no case ${unknown.join(', ')} (cases: ${ids.join(', ')})`);
const wanted = (id: string): boolean => !only || only.includes(id);

const rows: ComparisonRow[] = [];
const started = Date.now();
for (const comparison of HTTP_COMPARISONS) {
  if (!wanted(comparison.id)) continue;
  if (comparison.needsRedis && !(await redisAvailable())) {
    context.log(`case ${comparison.id} skipped: no Redis at ${process.env.REDIS_URL ?? '127.0.0.1:6379'}`);
    continue;
  }
  context.log(`case ${comparison.id}…`);
  rows.push(...(await runHttpComparison(context, comparison, builds)));
}
if (wanted(IPC_ID)) {
  context.log(`case ${IPC_ID}…`);
  rows.push(...(await runIpcComparison(context, builds)));
}

const table = comparisonMarkdown(builds, rows);
console.log(table);
const written = writeResultsFile('compare-latest.json', {
  date: new Date().toISOString(),
  mode: context.quick ? 'quick' : 'full',
  rounds: context.rounds,
  seconds: (Date.now() - started) / 1000,
  machine: machineInfo(),
  builds,
  tolerance: TOLERANCE,
  rows,
  table,
});
const outside = rows.filter((row) => !row.withinTolerance).length;
context.log(
  `\n${outside} of ${rows.length} ratios outside ±${TOLERANCE * 100} %; ` +
    `wrote ${written} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
