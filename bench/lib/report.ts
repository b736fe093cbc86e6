import type { SampleSummary } from './stats.js';

/** One measured variant of a case. */
export interface VariantResult {
  name: string;
  unit: string;
  summary: SampleSummary;
  /** `true` when a larger figure is better (throughput), `false` for latency and memory. */
  higherIsBetter: boolean;
  /** For HTTP load: the server's CPU time per request in µs, over the same runs. */
  cpuPerRequest?: SampleSummary;
}

/**
 * The server CPU time per request of `variants` as variants of their own
 * (`<name>, server CPU`, µs per request): on a shared machine throughput
 * moves with the neighbours' load, the CPU a request costs hardly does.
 */
export function cpuVariants(variants: VariantResult[]): VariantResult[] {
  return variants.flatMap((variant) =>
    variant.cpuPerRequest
      ? [
          {
            name: `${variant.name}, server CPU`,
            unit: 'µs/req',
            summary: variant.cpuPerRequest,
            higherIsBetter: false,
          },
        ]
      : [],
  );
}

/** A ratio between two variants of the same run, with its target. */
export interface RatioResult {
  label: string;
  value: number;
  target?: { op: '>=' | '<='; value: number };
  met?: boolean;
  note?: string;
}

/** One benchmark case. */
export interface CaseResult {
  id: string;
  title: string;
  variants: VariantResult[];
  ratios: RatioResult[];
  skipped?: string;
}

/** Builds a ratio, checking its target. */
export function ratio(
  label: string,
  value: number,
  target?: RatioResult['target'],
  note?: string,
): RatioResult {
  const met = target ? (target.op === '>=' ? value >= target.value : value <= target.value) : undefined;
  return { label, value, target, met, note };
}

/**
 * `ours/anchor` by server CPU per request: the anchor's CPU time over ours
 * (above 1 when ours costs less, the way a throughput ratio reads), or
 * nothing where CPU time was not measured.
 */
export function cpuRatio(
  label: string,
  variants: VariantResult[],
  ours: string,
  anchor: string,
  target?: RatioResult['target'],
): RatioResult[] {
  const cpu = (name: string) => variants.find((variant) => variant.name === name)?.cpuPerRequest?.median;
  const oursCpu = cpu(ours);
  const anchorCpu = cpu(anchor);
  if (!oursCpu || !anchorCpu) return [];
  return [ratio(`${label}, by server CPU per request`, anchorCpu / oursCpu, target)];
}

/** A figure as the tables print it: whole above 100 (with thousands separators), else 1 or 2 decimals. */
export function formatFigure(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}

/** The results as a Markdown table. */
export function toMarkdown(cases: CaseResult[]): string {
  const lines = ['| case | variant | median | spread | ratio | target |', '|---|---|---|---|---|---|'];
  for (const c of cases) {
    if (c.skipped) {
      lines.push(`| ${c.id}. ${c.title} | skipped: ${c.skipped} | | | | |`);
      continue;
    }
    for (const v of c.variants) {
      lines.push(
        `| ${c.id}. ${c.title} | ${v.name} | ${formatFigure(v.summary.median)} ${v.unit} | ${(v.summary.spread * 100).toFixed(1)} % | | |`,
      );
    }
    for (const r of c.ratios) {
      const target = r.target
        ? `${r.target.op} ${r.target.value} ${r.met ? '✅ met' : '❌ missed'}`
        : 'reported';
      lines.push(
        `| ${c.id}. ${c.title} | **${r.label}** | | | **${r.value.toFixed(2)}×** | ${target}${r.note ? ` (${r.note})` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}
