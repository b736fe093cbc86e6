import { collectDefaultMetrics, type Registry } from 'prom-client';

/** Starts prom-client's default metrics on `registry`, unless this process already collects them. */
export function ensureDefaultMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ register: registry });
}
