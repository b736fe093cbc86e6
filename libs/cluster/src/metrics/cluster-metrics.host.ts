import { register } from 'prom-client';
import { definePrimaryHost } from '../extensions/primary-host.js';
import { ensureDefaultMetrics } from './default-metrics.js';
import { METRICS_COLLECT, METRICS_GATHER, type GatheredMetrics } from './cluster-metrics.topics.js';
import { localMetrics } from './local-metrics.js';
import { type MetricJson } from './metrics-json.js';
import { registerPrimaryMetrics } from './primary-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';

/** Options the workers send the metrics host. */
export interface ClusterMetricsHostOptions {
  /** prom-client's default metrics in the primary. */
  readonly defaultMetrics: boolean;
  /** Longest wait for one worker's metrics, in ms. */
  readonly timeoutMs: number;
}

function isHostOptions(value: unknown): value is ClusterMetricsHostOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    'defaultMetrics' in value &&
    typeof value.defaultMetrics === 'boolean' &&
    'timeoutMs' in value &&
    typeof value.timeoutMs === 'number' &&
    value.timeoutMs > 0
  );
}

/**
 * The primary side of `ClusterMetricsModule`: the primary's own metrics (default metrics, the
 * supervisor's and its IPC's, on prom-client's global registry), and the gathering of every
 * worker's metrics for the worker that serves a scrape. Started by the first worker's module.
 */
export const clusterMetricsHost = definePrimaryHost<ClusterMetricsHostOptions>({
  specifier: '@nest-hive/cluster/metrics',
  exportName: 'clusterMetricsHost',
  isOptions: isHostOptions,
  attach: (runtime, options) => {
    if (options.defaultMetrics) ensureDefaultMetrics(register);
    registerProcessMetrics(register);
    registerPrimaryMetrics(register, runtime.messaging);
    runtime.handle(METRICS_GATHER, async ({ exclude }): Promise<GatheredMetrics> => {
      const { workers } = await runtime.messaging.workers();
      // The in-process worker of `workers: 0` shares this process' registry: not asked again.
      const targets = workers.filter(
        (worker) => worker.id !== exclude && worker.pid !== process.pid && worker.state !== 'starting',
      );
      const [own, ...answers] = await Promise.allSettled([
        localMetrics(register),
        ...targets.map((worker) =>
          runtime.messaging.request(METRICS_COLLECT, null, { to: worker.id, timeoutMs: options.timeoutMs }),
        ),
      ]);
      const processes: Array<readonly MetricJson[]> = [];
      if (own.status === 'fulfilled') processes.push(own.value);
      let unanswered = 0;
      for (const answer of answers) {
        if (answer.status === 'fulfilled') processes.push(answer.value);
        else unanswered++;
      }
      return { processes, unanswered };
    });
  },
});
