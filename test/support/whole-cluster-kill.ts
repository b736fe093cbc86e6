import { readFileSync, readdirSync } from 'node:fs';
import type { RunningProcess } from './processes.js';
import { waitFor } from './processes.js';

/** The pids of the live children of `pid` (every thread's `/proc/<pid>/task/<tid>/children`). */
export function childPids(pid: number): number[] {
  const children = new Set<number>();
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const tid of threads) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(/\s+/)) {
        if (child) children.add(Number(child));
      }
    } catch {
      // The thread ended meanwhile.
    }
  }
  return [...children];
}

/**
 * Whether `pid` is gone: no such process, or a zombie (killed, not yet reaped: a worker whose
 * primary died is reparented to whatever the container runs as pid 1, which may never reap it).
 */
export function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * SIGKILLs a cluster this test started, the primary and every worker it forked, all in one
 * synchronous loop (no process gets a turn to react in between), then waits until none runs.
 * Only the process `cluster` names and its own children are signalled.
 *
 * @returns the pids killed, the primary first.
 */
export async function killWholeCluster(cluster: RunningProcess): Promise<number[]> {
  const primary = cluster.child.pid;
  if (primary === undefined || cluster.child.exitCode !== null || cluster.child.signalCode !== null) {
    throw new Error('the cluster is not running');
  }
  const workers = childPids(primary);
  const pids = [primary, ...workers];
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await cluster.exited;
  await waitFor(
    `processes ${pids.join(', ')} to be gone`,
    () => (pids.every(isGone) ? true : undefined),
    5_000,
  );
  return pids;
}
