/** What the IPC benchmark measures in each block. */
export interface IpcWorkload {
  /** One-way messages sent worker → primary per block. */
  messages: number;
  /** Most sends in flight (not yet written to the channel) at once. */
  window: number;
  /** Sequential request/reply round trips per block. */
  roundTrips: number;
  /** Rounds; each runs a raw and a nest-hive block of both kinds, in alternating order. */
  rounds: number;
}

/** Figures of one kind of sender (`raw` or `nest-hive`), one entry per round. */
export interface IpcSeries {
  messagesPerSecond: number[];
  roundTripP50Us: number[];
  roundTripP99Us: number[];
}

/** What the benchmark reports (one JSON line on stdout). */
export interface IpcReport {
  raw: IpcSeries;
  hive: IpcSeries;
}

/** A ~100-byte JSON payload. */
export function payload(seq: number): { seq: number; text: string } {
  return { seq, text: 'nest-hive benchmark payload, about one hundred bytes of JSON in all..' };
}

/** The workload from the environment (`IPC_MESSAGES`, `IPC_WINDOW`, `IPC_ROUND_TRIPS`, `IPC_ROUNDS`). */
export function workloadFromEnv(): IpcWorkload {
  return {
    messages: Number(process.env.IPC_MESSAGES ?? 100_000),
    window: Number(process.env.IPC_WINDOW ?? 64),
    roundTrips: Number(process.env.IPC_ROUND_TRIPS ?? 5_000),
    rounds: Number(process.env.IPC_ROUNDS ?? 5),
  };
}

/** Nearest-rank percentile in microseconds of samples in nanoseconds. */
export function percentileUs(samplesNs: bigint[], p: number): number {
  const sorted = [...samplesNs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Number(sorted[rank] ?? 0n) / 1000;
}

const isNumbers = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

const isSeries = (value: unknown): value is IpcSeries =>
  typeof value === 'object' &&
  value !== null &&
  'messagesPerSecond' in value &&
  isNumbers(value.messagesPerSecond) &&
  'roundTripP50Us' in value &&
  isNumbers(value.roundTripP50Us) &&
  'roundTripP99Us' in value &&
  isNumbers(value.roundTripP99Us);

/** Whether a parsed JSON value is an {@link IpcReport}. */
export function isIpcReport(value: unknown): value is IpcReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    'raw' in value &&
    isSeries(value.raw) &&
    'hive' in value &&
    isSeries(value.hive)
  );
}
