/**
 * The shape prom-client's `registry.getMetricsAsJSON()` produces, checked at run time before it
 * reaches `AggregatorRegistry.aggregate()`: what crosses IPC is validated, never cast.
 */
const AGGREGATORS = new Set(['omit', 'sum', 'first', 'min', 'max', 'average']);

/** One metric as `getMetricsAsJSON()` gives it (the fields aggregation reads). */
export interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  readonly values: ReadonlyArray<{ readonly value: number | null; readonly labels: object }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isMetricValue(value: unknown): boolean {
  return (
    isRecord(value) &&
    (typeof value.value === 'number' || value.value === null) &&
    isRecord(value.labels) &&
    (value.metricName === undefined || typeof value.metricName === 'string')
  );
}

/** Runtime guard for one metric of `getMetricsAsJSON()`. */
export function isMetricJson(value: unknown): value is MetricJson {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.help === 'string' &&
    typeof value.type === 'string' &&
    typeof value.aggregator === 'string' &&
    AGGREGATORS.has(value.aggregator) &&
    Array.isArray(value.values) &&
    value.values.every(isMetricValue)
  );
}

/** Runtime guard for a whole `getMetricsAsJSON()` answer. */
export function isMetricJsonList(value: unknown): value is readonly MetricJson[] {
  return Array.isArray(value) && value.every(isMetricJson);
}
