import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, usually 100). */
const ticksPerSecond = ((): number => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, ms) a process has used so far, from
 * `/proc/<pid>/stat`; `undefined` where there is no `/proc` (not Linux) or the
 * process is gone. A server's CPU time per request does not depend on what
 * else the machine runs, which throughput on a shared machine does.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime)
      ? ((utime + stime) * 1000) / ticksPerSecond
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) of a process and of its direct children (a cluster's primary and its workers),
 * from `/proc/<pid>/task/<pid>/children`; `undefined` where that is not readable.
 */
export function processTreeCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const own = processCpuMs(pid);
  if (own === undefined) return undefined;
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return undefined;
  }
  return children.reduce((total, child) => total + (processCpuMs(child) ?? 0), own);
}
