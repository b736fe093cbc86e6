import type { RunningProcess } from './processes.js';

/** How a process ended, and how long after `since` it did. */
export interface TimedExit {
  readonly code: number | string;
  readonly ms: number;
}

/**
 * Waits for `child` to exit, at most `timeoutMs`: past it the process is killed and the wait
 * rejects with its output, so a hang fails clearly instead of at the test's timeout.
 */
export async function exitWithin(
  child: RunningProcess,
  timeoutMs: number,
  since: number = Date.now(),
): Promise<TimedExit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const code = await Promise.race([child.exited, late]).finally(() => clearTimeout(timer));
  if (code === 'late') {
    await child.stop();
    throw new Error(`the process did not exit within ${timeoutMs} ms; its output:\n${child.output()}`);
  }
  return { code, ms: Date.now() - since };
}
