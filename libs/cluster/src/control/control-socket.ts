import { readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * The folder of this user's control sockets: `NEST_HIVE_CONTROL_DIR`, or `nest-hive-<uid>` in the
 * temporary folder. The primary makes it owner-only (0700), and each socket in it too (0600).
 */
export function controlDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.NEST_HIVE_CONTROL_DIR || join(tmpdir(), `nest-hive-${userInfo().uid}`);
}

/** The control socket of the primary `pid`. */
export function controlSocketPath(pid: number, directory = controlDirectory()): string {
  return join(directory, `primary-${pid}.sock`);
}

/** Whether a process with this pid runs (and may be signalled by us). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids of the primaries whose sockets are in `directory` and which still run, ascending. */
export function runningPrimaries(directory = controlDirectory()): number[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .map((name) => /^primary-(\d+)\.sock$/.exec(name)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number)
    .filter(running)
    .sort((a, b) => a - b);
}
