/** Raw benchmark messages: plain objects that `@nest-hive/cluster` ignores as foreign. */
export type RawBenchMessage =
  | { bench: 'one-way'; seq: number; text: string }
  | { bench: 'one-way-done' }
  | { bench: 'ping'; seq: number; text: string }
  | { bench: 'pong'; seq: number; text: string };

/** Whether an IPC message is one of the raw benchmark's. */
export function isRawBenchMessage(value: unknown): value is RawBenchMessage {
  return (
    typeof value === 'object' && value !== null && typeof (value as { bench?: unknown }).bench === 'string'
  );
}
