import { defineTopic } from '@nest-hive/cluster';

/** A broadcast typed into the demo. */
export interface DemoBroadcast {
  /** Unique id of the broadcast. */
  id: string;
  /** The text. */
  message: string;
  /** Who sent it. */
  from: { pid: number; workerId: number | null };
  /** When it was sent (ms since epoch). */
  at: number;
}

/** A worker's note that it received a broadcast. */
export interface DemoReceipt {
  /** The broadcast's id. */
  id: string;
  /** The worker that received it. */
  workerId: number | null;
  /** Its pid. */
  pid: number;
  /** When it arrived (ms since epoch). */
  at: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const isWorkerId = (value: unknown): boolean => value === null || typeof value === 'number';

/** Longest broadcast text the demo accepts. */
export const MAX_BROADCAST_LENGTH = 500;

/** Broadcasts typed into the demo, sent to every worker. */
export const DEMO_BROADCAST = defineTopic<DemoBroadcast>('demo:broadcast', {
  validate: (value): value is DemoBroadcast =>
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.message === 'string' &&
    value.message.length <= MAX_BROADCAST_LENGTH &&
    typeof value.at === 'number' &&
    isObject(value.from) &&
    typeof value.from.pid === 'number' &&
    isWorkerId(value.from.workerId),
});

/** Receipts every worker broadcasts for each broadcast it received. */
export const DEMO_RECEIPT = defineTopic<DemoReceipt>('demo:receipt', {
  validate: (value): value is DemoReceipt =>
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.pid === 'number' &&
    typeof value.at === 'number' &&
    isWorkerId(value.workerId),
});
