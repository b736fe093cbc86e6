import { formatFigure, type VariantResult } from '../lib/report.js';
import type { Build, Pair } from './builds.js';

/** How far from 1 a ratio may be and still read "no change": a refactor keeps the speed within 3 %. */
export const TOLERANCE = 0.03;

/** One figure measured on both builds, in the same interleaved rounds. */
export interface ComparisonRow {
  /** The `npm run bench` case it mirrors (`1`, `2`, `1f`, `2f`, `4`). */
  caseId: string;
  title: string;
  /** What was measured: a route and `server CPU` or `throughput`, or an IPC figure. */
  measure: string;
  base: VariantResult;
  current: VariantResult;
  /**
   * This build's speed over base's, from the medians: above 1, this build is
   * faster. For throughput that is this/base; for CPU time and latency, where
   * less is better, base/this (as `npm run bench` reads "by server CPU").
   */
  ratio: number;
  /** Whether {@link ratio} lies within 1 ± {@link TOLERANCE}. Information only, never a failure. */
  withinTolerance: boolean;
}

/** A row from the two builds' results for one figure. */
export function compareRow(
  caseId: string,
  title: string,
  measure: string,
  pair: Pair<VariantResult>,
): ComparisonRow {
  const { base, current } = pair;
  const ratio = base.higherIsBetter
    ? current.summary.median / base.summary.median
    : base.summary.median / current.summary.median;
  return {
    caseId,
    title,
    measure,
    base,
    current,
    ratio,
    withinTolerance: Math.abs(ratio - 1) <= TOLERANCE,
  };
}

const figure = (variant: VariantResult): string =>
  `${formatFigure(variant.summary.median)} ${variant.unit} (spread ${(variant.summary.spread * 100).toFixed(1)} %)`;

const percent = (ratio: number): string => {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(1)} %`;
};

/** The rows as a Markdown table, under a line naming both builds. */
export function comparisonMarkdown(builds: Pair<Build>, rows: ComparisonRow[]): string {
  const lines = [
    `base: ${builds.base.root} (${builds.base.revision}); this: ${builds.current.root} (${builds.current.revision})`,
    '',
    `| case | measure | base | this | this/base (speed) | within ±${TOLERANCE * 100} % |`,
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const flag = row.withinTolerance ? '✅' : `⚠️ ${percent(row.ratio)}`;
    lines.push(
      `| ${row.caseId}. ${row.title} | ${row.measure} | ${figure(row.base)} | ${figure(row.current)} | ` +
        `**${row.ratio.toFixed(3)}×** | ${flag} |`,
    );
  }
  return lines.join('\n');
}
