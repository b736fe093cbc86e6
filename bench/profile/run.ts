/**
 * `npm run bench:profile -- [options]`: profiles one bench server under load
 * with `node --cpu-prof`, and prints the functions with the most self time
 * and the share of the project's own code.
 *   --server=express|fastify   which bench app (default express)
 *   --session=nest-hive        its BENCH_SESSION (none, express-session, fastify-session, nest-hive)
 *   --route=/bench/read        the route to load
 *   --cookie                   send a session cookie (from a first request to /bench/visits;
 *                              without a session module, a cookie of the same size)
 *   --seconds=10               load duration (bounded; 127.0.0.1 only)
 *   --top=30                   rows to print
 * The profile is kept in bench/results/profiles/ for Chrome DevTools.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { obtainCookie, runLoad } from '../lib/load.js';
import { BENCH_DIST, REPO_ROOT, startServer } from '../lib/server-process.js';
import { summarizeProfile, type CpuProfile } from './cpu-profile-summary.js';

const option = (name: string, fallback: string): string =>
  process.argv
    .slice(2)
    .find((arg) => arg.startsWith(`--${name}=`))
    ?.slice(name.length + 3) ?? fallback;
const server = option('server', 'express');
const session = option('session', 'nest-hive');
const route = option('route', '/bench/read');
const seconds = Number(option('seconds', '10'));
const top = Number(option('top', '30'));
const withCookie = process.argv.includes('--cookie');
if (!['express', 'fastify'].includes(server)) throw new Error('--server is express or fastify');
if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) throw new Error('--seconds: 1 to 120');

const dir = join(REPO_ROOT, 'bench/results/profiles', `${server}-${session}-${Date.now()}`);
mkdirSync(dir, { recursive: true });
const app = `${BENCH_DIST}/servers/${server === 'fastify' ? 'fastify-session-bench-app' : 'session-bench-app'}.js`;
const started = await startServer(
  session,
  app,
  { BENCH_SESSION: session },
  { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] },
);
let requests = 0;
try {
  // Without a session module there is no cookie to get: one of the same size stands in.
  const cookie = !withCookie
    ? undefined
    : session === 'none'
      ? `sid=${'s'.repeat(88)}`
      : await obtainCookie(`${started.url}/bench/visits`);
  await runLoad({
    url: `${started.url}${route}`,
    durationSeconds: 2,
    ...(cookie && { headers: { cookie } }),
  });
  const result = await runLoad({
    url: `${started.url}${route}`,
    durationSeconds: seconds,
    ...(cookie && { headers: { cookie } }),
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx`);
  requests = result.total;
  console.log(
    `${server} ${session} ${route}${cookie ? ' with cookie' : ''}: ${Math.round(result.requestsPerSecond)} req/s`,
  );
} finally {
  await started.stop();
}
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
const rows = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
const own = rows.filter((row) => / libs\/\S+:\d+$/.test(row.name));
const ownSelf = own.reduce((sum, row) => sum + row.selfPercent, 0);
console.log(`${requests} requests; profile: ${join(dir, file)}`);
console.log(`self time in the project's own code (libs/): ${ownSelf.toFixed(1)} %`);
console.log('| self % | total % | function |\n|---|---|---|');
for (const row of rows.slice(0, top))
  console.log(`| ${row.selfPercent.toFixed(1)} | ${row.totalPercent.toFixed(1)} | ${row.name} |`);
