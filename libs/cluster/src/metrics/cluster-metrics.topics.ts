import { defineTopic } from '../messaging/topic.js';
import { type MetricJson, isMetricJsonList } from './metrics-json.js';

/** Primary → worker: this process' metrics, as `getMetricsAsJSON()`. */
export const METRICS_COLLECT = defineTopic<null, readonly MetricJson[]>('nest-hive:metrics:collect', {
  validate: (value): value is null => value === null,
  validateReply: isMetricJsonList,
});

/** What the primary answers a scraping worker. */
export interface GatheredMetrics {
  /** The metrics of every other process: the primary's first, then each worker that answered. */
  readonly processes: ReadonlyArray<readonly MetricJson[]>;
  /** Workers asked that did not answer in time (or had no metrics module). */
  readonly unanswered: number;
}

/** Worker → primary: the metrics of every process but the asking worker. */
export const METRICS_GATHER = defineTopic<{ exclude: number | null }, GatheredMetrics>(
  'nest-hive:metrics:gather',
  {
    validate: (value): value is { exclude: number | null } =>
      typeof value === 'object' &&
      value !== null &&
      'exclude' in value &&
      (typeof value.exclude === 'number' || value.exclude === null),
    validateReply: (value): value is GatheredMetrics =>
      typeof value === 'object' &&
      value !== null &&
      'processes' in value &&
      Array.isArray(value.processes) &&
      value.processes.every(isMetricJsonList) &&
      'unanswered' in value &&
      typeof value.unanswered === 'number',
  },
);
