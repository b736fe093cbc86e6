import type { BenchContext } from '../lib/bench-context.js';
import { measureInterleaved, type LoadVariant } from '../lib/interleave.js';
import { obtainCookie } from '../lib/load.js';
import { cpuRatio, cpuVariants, ratio, type CaseResult, type RatioResult } from '../lib/report.js';
import type { ServerProcess } from '../lib/server-process.js';

/**
 * The servers of a session-route case: the app without sessions, the other library's and ours,
 * and a second pair of those two for the new-session runs, which fill their store with up to
 * 100 000 sessions: the read and change runs are not measured on a heap that holds them.
 */
export interface SessionRouteServers {
  none: ServerProcess;
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
  const otherCookie = await obtainCookie(`${other.url}/bench/visits`);
  const ourCookie = await obtainCookie(`${ours.url}/bench/visits`);
  const ourName = '(c) @nest-hive/session';
  const rows = [
    { key: 'read', label: 'reads an existing session', path: '/bench/read', cookies: true },
    { key: 'change', label: 'changes an existing session', path: '/bench/visits', cookies: true },
    { key: 'create', label: 'new session each request', path: '/bench/visits', cookies: false },
  ] as const;
  const variants = await measureInterleaved(
    context,
    rows.flatMap((row) => [
      variant(`${names.none}, ${row.label}`, none, row.path, row.cookies ? ourCookie : undefined),
      row.cookies
        ? variant(`${names.other}, ${row.label}`, other, row.path, otherCookie)
        : variant(`${names.other}, ${row.label}`, servers.otherForNew, row.path),
      row.cookies
        ? variant(`${ourName}, ${row.label}`, ours, row.path, ourCookie)
        : variant(`${ourName}, ${row.label}`, servers.oursForNew, row.path),
    ]),
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
    ratios,
  };
}
