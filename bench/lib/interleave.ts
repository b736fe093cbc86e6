import type { BenchContext } from './bench-context.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { processCpuMs, processTreeCpuMs } from './process-cpu.js';
import { summarize } from './stats.js';
import type { VariantResult } from './report.js';

/** A variant to measure under load. */
export interface LoadVariant {
  name: string;
  load: Omit<LoadOptions, 'durationSeconds'>;
  /** The server's process: its CPU time per request is recorded too (Linux). */
  serverPid?: number;
  /** With `serverPid`: count its children's CPU time too (a cluster's workers). */
  serverTree?: boolean;
  /**
   * For a route that ends the session it is sent (a logout): one cookie per request, made before
   * each run (warm-up included) and outside its measured CPU time. Such a run makes that many
   * requests (less one per connection) instead of lasting `durationSeconds`.
   */
  cookiesPerRun?: (warmup: boolean) => Promise<readonly string[]>;
}

/** How long a server is left alone after a run's cookies were made on it, so that work ends first. */
const SETTLE_MS = 500;

/** The load of one run of `variant`: its own cookies made first, when it needs some. */
async function loadOf(variant: LoadVariant, warmup: boolean): Promise<Omit<LoadOptions, 'durationSeconds'>> {
  if (!variant.cookiesPerRun) return variant.load;
  const cookies = await variant.cookiesPerRun(warmup);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return { ...variant.load, cookies };
}

/**
 * Warms every variant up, then measures them in interleaved rounds, the
 * order reversed every other round (A, B, C, C, B, A, …), so drift on a
 * shared machine hits all alike and no variant always runs right after
 * another: in a fixed order, the second of two identical servers measured
 * 9-12 % more CPU per request on Fastify (`npm run bench:compare` of a build
 * against itself).
 * Failed requests make the run fail: a figure with errors is not a figure.
 */
export async function measureInterleaved(
  context: BenchContext,
  variants: LoadVariant[],
): Promise<VariantResult[]> {
  for (const variant of variants) {
    await runLoad({ ...(await loadOf(variant, true)), durationSeconds: context.warmupSeconds });
  }
  const samples = variants.map(() => [] as number[]);
  const cpuSamples = variants.map(() => [] as number[]);
  for (let round = 0; round < context.rounds; round++) {
    const order = round % 2 === 0 ? [...variants.entries()] : [...variants.entries()].reverse();
    for (const [index, variant] of order) {
      const cpuOf = variant.serverTree ? processTreeCpuMs : processCpuMs;
      const load = await loadOf(variant, false);
      const cpuBefore = cpuOf(variant.serverPid);
      const result: LoadResult = await runLoad({ ...load, durationSeconds: context.durationSeconds });
      const cpuAfter = cpuOf(variant.serverPid);
      if (result.errors > 0 || result.non2xx > 0) {
        throw new Error(`${variant.name}: ${result.errors} errors and ${result.non2xx} non-2xx responses`);
      }
      samples[index]?.push(result.requestsPerSecond);
      const cpu =
        cpuBefore !== undefined && cpuAfter !== undefined && result.total > 0
          ? ((cpuAfter - cpuBefore) * 1000) / result.total
          : undefined;
      if (cpu !== undefined) cpuSamples[index]?.push(cpu);
      context.log(
        `  ${variant.name} round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s` +
          (cpu === undefined ? '' : `, server CPU ${cpu.toFixed(0)} µs/req`),
      );
    }
  }
  return variants.map((variant, index) => {
    const cpu = cpuSamples[index] ?? [];
    return {
      name: variant.name,
      unit: 'req/s',
      summary: summarize(samples[index] ?? []),
      higherIsBetter: true,
      ...(cpu.length > 0 && { cpuPerRequest: summarize(cpu) }),
    };
  });
}
