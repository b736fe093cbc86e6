import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchContext } from '../lib/bench-context.js';
import type { CaseResult, VariantResult } from '../lib/report.js';
import { BENCH_DIST } from '../lib/server-process.js';
import { summarize } from '../lib/stats.js';
import { isPhaseResult, type PhaseResult } from '../file-store/store-load.js';

const run = promisify(execFile);

/** One run of `file-store/event-loop-delay.js` at `sessions` sessions, in a process of its own. */
async function phasesAt(sessions: number): Promise<PhaseResult[]> {
  const { stdout } = await run(
    process.execPath,
    [`${BENCH_DIST}/file-store/event-loop-delay.js`, `--sessions=${sessions}`, '--json'],
    { timeout: 300_000, maxBuffer: 1024 * 1024 },
  );
  const parsed: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  const phases: unknown =
    typeof parsed === 'object' && parsed !== null && 'eventLoopDelay' in parsed
      ? parsed.eventLoopDelay
      : undefined;
  if (!Array.isArray(phases) || !phases.every(isPhaseResult)) {
    throw new Error(`event-loop-delay.js printed no phases:\n${stdout}`);
  }
  return phases;
}

/**
 * Case 12: the event-loop delay of a process that holds a `FileSessionStore` (the cluster
 * primary's), p99 and max per phase (replay at open, idle, steady writes, compaction, a sweep of
 * 50 000 expired sessions, length()), and how long each synchronous call took (open, sweep(),
 * length()), at 100 000 sessions (20 000 with `--quick`). Reported, no target: the idle row is
 * what the machine alone costs.
 */
export async function fileStoreDelayCase(context: BenchContext): Promise<CaseResult> {
  const sessions = context.quick ? 20_000 : 100_000;
  const runs: PhaseResult[][] = [];
  for (let round = 0; round < context.rounds; round++) {
    const phases = await phasesAt(sessions);
    runs.push(phases);
    context.log(
      `  event-loop delay round ${round + 1}: ` +
        phases.map((p) => `${p.phase} p99 ${p.p99Ms.toFixed(1)} / max ${p.maxMs.toFixed(1)} ms`).join('; '),
    );
  }
  const names = runs[0]?.map((phase) => phase.phase) ?? [];
  const figure = (name: string, label: string, pick: (p: PhaseResult) => number): VariantResult => ({
    name: `${name}, ${label}`,
    unit: 'ms',
    summary: summarize(runs.map((phases) => pick(phases.find((p) => p.phase === name) ?? phases[0]))),
    higherIsBetter: false,
  });
  return {
    id: '12',
    title: `event-loop delay of a FileSessionStore's process (${sessions.toLocaleString('en-US')} sessions)`,
    variants: names.flatMap((name) => [
      figure(name, 'p99', (p) => p.p99Ms),
      figure(name, 'max', (p) => p.maxMs),
      ...(runs[0]?.find((p) => p.phase === name)?.callMs === undefined
        ? []
        : [figure(name, 'the call itself', (p) => p.callMs ?? Number.NaN)]),
    ]),
    ratios: [],
  };
}
