import { type Registry } from 'prom-client';
import { type MetricJson, isMetricJsonList } from './metrics-json.js';

/**
 * This process' metrics as `registry.getMetricsAsJSON()` gives them, checked against the shape
 * aggregation needs (prom-client's typings declare `type` as an enum, it is a string at run time).
 */
export async function localMetrics(registry: Registry): Promise<readonly MetricJson[]> {
  const metrics: unknown = await registry.getMetricsAsJSON();
  if (!isMetricJsonList(metrics)) {
    throw new TypeError('prom-client returned metrics of an unexpected shape; use prom-client 15.');
  }
  return metrics;
}
