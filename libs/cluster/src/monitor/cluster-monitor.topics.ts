import { defineTopic } from '../messaging/topic.js';
import { type ProcessSample, isProcessSampleList } from './process-sample.js';

/** Any endpoint → a worker: its samples taken after `since` (epoch ms). */
export const MONITOR_SAMPLES = defineTopic<{ since: number }, readonly ProcessSample[]>(
  'nest-hive:monitor:samples',
  {
    validate: (value): value is { since: number } =>
      typeof value === 'object' &&
      value !== null &&
      'since' in value &&
      typeof value.since === 'number' &&
      Number.isFinite(value.since),
    validateReply: isProcessSampleList,
  },
);
