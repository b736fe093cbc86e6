import type { BenchContext } from '../lib/bench-context.js';
import { runIpcBench } from '../ipc/ipc-run.js';
import { IPC_VARIANTS, ipcVariants } from '../ipc/ipc-variants.js';
import type { IpcReport, IpcSeries } from '../ipc/ipc-workload.js';
import type { VariantResult } from '../lib/report.js';
import { mapPair, PAIR_ORDER, type Build, type Pair } from './builds.js';
import { compareRow, type ComparisonRow } from './comparison.js';

const ID = '4';
const TITLE = 'IPC, primary ↔ 1 worker, ~100 B JSON';

/**
 * The figures compared, ours first. The raw ones run the same code in both
 * builds (plain `process.send`): their ratios show how far the noise alone moves one.
 */
const MEASURES = [
  { name: IPC_VARIANTS.hiveSend, label: 'ClusterService.send, one-way' },
  { name: IPC_VARIANTS.hiveP50, label: 'ClusterService.request, round trip p50' },
  { name: IPC_VARIANTS.rawSend, label: 'raw process.send, one-way (control: same code)' },
  { name: IPC_VARIANTS.rawP50, label: 'raw ping-pong, round trip p50 (control: same code)' },
] as const;

const joinSeries = (series: IpcSeries[]): IpcSeries => ({
  messagesPerSecond: series.flatMap((s) => s.messagesPerSecond),
  roundTripP50Us: series.flatMap((s) => s.roundTripP50Us),
  roundTripP99Us: series.flatMap((s) => s.roundTripP99Us),
});

/** One report holding the rounds of several runs. */
function joinReports(reports: IpcReport[]): IpcReport {
  return { raw: joinSeries(reports.map((r) => r.raw)), hive: joinSeries(reports.map((r) => r.hive)) };
}

function findVariant(variants: VariantResult[], name: string): VariantResult {
  const found = variants.find((variant) => variant.name === name);
  if (!found) throw new Error(`no IPC variant ${name}`);
  return found;
}

/**
 * Case 4 on both builds: each build's own compiled IPC benchmark (a primary
 * and one worker, in its checkout), one round per run, base then this, then
 * this then base, and so on for `context.rounds` rounds. Rows: one-way throughput and round
 * trip p50 of `ClusterService`, and the raw controls.
 */
export async function runIpcComparison(context: BenchContext, builds: Pair<Build>): Promise<ComparisonRow[]> {
  const reports: Pair<IpcReport[]> = { base: [], current: [] };
  for (let round = 0; round < context.rounds; round++) {
    for (const key of round % 2 === 0 ? PAIR_ORDER : [...PAIR_ORDER].reverse()) {
      const build = builds[key];
      const report = await runIpcBench(context, { benchDist: build.benchDist, cwd: build.root, rounds: 1 });
      reports[key].push(report);
      context.log(
        `  ${build.label} IPC round ${round + 1}: ` +
          `${Math.round(report.hive.messagesPerSecond[0] ?? 0)} msg/s, ${report.hive.roundTripP50Us[0]} µs p50`,
      );
    }
  }
  const variants = mapPair(reports, (list) => ipcVariants(joinReports(list)));
  return MEASURES.map((measure) =>
    compareRow(
      ID,
      TITLE,
      measure.label,
      mapPair(variants, (list) => findVariant(list, measure.name)),
    ),
  );
}
