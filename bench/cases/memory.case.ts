import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchContext } from '../lib/bench-context.js';
import { ratio, type CaseResult } from '../lib/report.js';
import { BENCH_DIST } from '../lib/server-process.js';
import { summarize } from '../lib/stats.js';

const run = promisify(execFile);

async function bytesPerSession(store: string, count: number): Promise<number> {
  const { stdout } = await run(process.execPath, [
    '--expose-gc',
    `${BENCH_DIST}/memory/session-memory.js`,
    store,
    String(count),
  ]);
  return (JSON.parse(stdout.trim()) as { bytesPerSession: number }).bytesPerSession;
}

/** Case 7: heap bytes per idle session at 100 000 sessions. */
export async function memoryCase(context: BenchContext): Promise<CaseResult> {
  const count = 100_000;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < context.rounds; round++) {
    theirs.push(await bytesPerSession('express-session', count));
    ours.push(await bytesPerSession('nest-hive', count));
    context.log(
      `  memory round ${round + 1}: ours ${Math.round(ours.at(-1) ?? 0)} B, express-session ${Math.round(theirs.at(-1) ?? 0)} B`,
    );
  }
  const a = summarize(theirs);
  const b = summarize(ours);
  return {
    id: '7',
    title: 'memory per idle session (100 000 sessions)',
    variants: [
      { name: 'express-session MemoryStore', unit: 'B', summary: a, higherIsBetter: false },
      { name: 'MemorySessionStore', unit: 'B', summary: b, higherIsBetter: false },
    ],
    ratios: [ratio('ours/express-session', b.median / a.median, { op: '<=', value: 0.7 })],
  };
}
