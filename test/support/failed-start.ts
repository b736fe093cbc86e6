import { DEMO_SECRET } from './demo-cluster.js';
import { exitWithin } from './exit-within.js';
import { freePort, startNode } from './processes.js';

/** How a start of the demo that had to fail ended. */
export interface FailedStart {
  readonly code: number | string;
  /** From the spawn to the exit of the primary. */
  readonly ms: number;
  /** The output, colours stripped. */
  readonly output: string;
  /** Its last non-empty line. */
  readonly lastLine: string;
  /** How many Nest applications (workers) began to start. */
  readonly appStarts: number;
}

/** Nest's coloured log lines, without the colours. */
export function withoutColours(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * Starts the compiled demo with `workers` workers on `sessionDb`, expecting it to stop by
 * itself: resolves how it ended, or rejects (with its output) if it still runs after `timeoutMs`.
 */
export async function startDemoExpectingExit(
  sessionDb: string,
  workers: number,
  timeoutMs: number,
): Promise<FailedStart> {
  const port = await freePort();
  const started = Date.now();
  const child = startNode('apps/demo/dist/main.js', {
    PORT: String(port),
    WORKERS: String(workers),
    SESSION_SECRET: DEMO_SECRET,
    SESSION_DB: sessionDb,
  });
  const { code, ms } = await exitWithin(child, timeoutMs, started);
  const output = withoutColours(child.output());
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  return {
    code,
    ms,
    output,
    lastLine: lines.at(-1) ?? '',
    appStarts: output.split('Starting Nest application').length - 1,
  };
}
