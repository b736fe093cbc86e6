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
import type { ServerProcess } from '../lib/server-process.js';
import { COOKIE_ROUTE, SESSION_USING_ROUTES } from '../lib/session-bench-routes.js';

/**
 * The servers of a session-route case: the app without sessions, the other library's and ours,
 * and a second pair of those two for the new-session runs, which fill their store with up to
 * 100 000 sessions: the read and change runs are not measured on a heap that holds them.
 */
export interface SessionRouteServers {
  none: ServerProcess;
  /** The app without sessions, spending {@link CALIBRATION_CPU_US} µs of CPU more on `/bench/read`. */
  calibration: ServerProcess;
  other: ServerProcess;
  ours: ServerProcess;
  otherForNew: ServerProcess;
  oursForNew: ServerProcess;
}

/** Names of a session-route case's variants. */
export interface SessionRouteNames {
  id: string;
  title: string;
  /** `(a) …`, the app without a session module. */
  none: string;
  /** `(b) …`, the library users would pick instead. */
  other: string;
}

/**
 * The calibration's extra CPU per request: the ratio it measures against the plain anchor, next
 * to what that CPU alone would predict, shows how this machine weighs each microsecond a session
 * adds (on a 2-core VM, the load generator's wake-ups grow with the server's time per request).
 */
export const CALIBRATION_CPU_US = 10;

/** The environment of a calibration server (see {@link CALIBRATION_CPU_US}). */
export const CALIBRATION_ENV = { BENCH_EXTRA_CPU_US: String(CALIBRATION_CPU_US) } as const;

/** Targets of ours against the app without a session module. */
const TARGETS = { read: 0.9, change: 0.85, create: 0.8 } as const;

const variant = (name: string, server: ServerProcess, path: string, cookie?: string): LoadVariant => ({
  name,
  load: { url: `${server.url}${path}`, ...(cookie && { headers: { cookie } }) },
  serverPid: server.child.pid,
});

/**
 * Routes that use the session, each against the same route of the app
 * without a session module (`/bench/read` and `/bench/visits` answer from a
 * counter there): reading an existing session, changing it (`visits++`),
 * and creating a new session each request. Interleaved rounds; ratios by
 * throughput and by server CPU per request.
 */
export async function sessionRoutesCase(
  context: BenchContext,
  names: SessionRouteNames,
  servers: SessionRouteServers,
): Promise<CaseResult> {
  const { none, other, ours } = servers;
  const otherCookie = await obtainCookie(`${other.url}${COOKIE_ROUTE}`);
  const ourCookie = await obtainCookie(`${ours.url}${COOKIE_ROUTE}`);
  const ourName = '(c) @nest-hive/session';
  const rows = SESSION_USING_ROUTES;
  const calibrationName = `${names.none} + ${CALIBRATION_CPU_US} µs of CPU, reads`;
  const variants = await measureInterleaved(
    context,
    [variant(calibrationName, servers.calibration, '/bench/read', ourCookie)].concat(
      rows.flatMap((row) => [
        variant(
          `${names.none}, ${row.label}`,
          none,
          row.path,
          row.cookie === 'valid' ? ourCookie : undefined,
        ),
        row.cookie === 'valid'
          ? variant(`${names.other}, ${row.label}`, other, row.path, otherCookie)
          : variant(`${names.other}, ${row.label}`, servers.otherForNew, row.path),
        row.cookie === 'valid'
          ? variant(`${ourName}, ${row.label}`, ours, row.path, ourCookie)
          : variant(`${ourName}, ${row.label}`, servers.oursForNew, row.path),
      ]),
    ),
  );
  const median = (name: string): number => {
    const found = variants.find((v) => v.name === name);
    if (!found) throw new Error(`no variant ${name}`);
    return found.summary.median;
  };
  const ratios: RatioResult[] = rows.flatMap((row) => {
    const target = { op: '>=', value: TARGETS[row.key] } as const;
    const a = `${names.none}, ${row.label}`;
    const b = `${names.other}, ${row.label}`;
    const c = `${ourName}, ${row.label}`;
    return [
      ratio(`(c)/(a), ${row.label}`, median(c) / median(a), target),
      ...cpuRatio(`(c)/(a), ${row.label}`, variants, c, a, target),
      ratio(`(b)/(a), ${row.label}`, median(b) / median(a)),
      ratio(`(c)/(b), ${row.label}`, median(c) / median(b)),
    ];
  });
  return {
    id: names.id,
    title: names.title,
    variants: [...variants, ...cpuVariants(variants)],
    ratios: [
      ...ratios,
      ...calibrationRatios(variants, `${names.none}, reads an existing session`, calibrationName),
    ],
  };
}

/**
 * The calibration against the plain anchor, measured and as the extra CPU alone would predict it
 * (the anchor's CPU per request over that plus {@link CALIBRATION_CPU_US}).
 */
function calibrationRatios(variants: VariantResult[], anchor: string, calibration: string): RatioResult[] {
  const find = (name: string): VariantResult | undefined => variants.find((v) => v.name === name);
  const a = find(anchor);
  const c = find(calibration);
  if (!a || !c) return [];
  const label = `calibration: (a) + ${CALIBRATION_CPU_US} µs of CPU / (a), reads`;
  const measured = ratio(label, c.summary.median / a.summary.median);
  const anchorCpu = a.cpuPerRequest?.median;
  if (!anchorCpu) return [measured];
  return [measured, ratio(`${label}, predicted by CPU alone`, anchorCpu / (anchorCpu + CALIBRATION_CPU_US))];
}
