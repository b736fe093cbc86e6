import type { VariantResult } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import type { IpcReport } from './ipc-workload.js';

/** Names of the IPC benchmark's variants, as case 4 and `npm run bench:compare` report them. */
export const IPC_VARIANTS = {
  rawSend: 'raw process.send, one-way',
  hiveSend: 'ClusterService.send, one-way',
  rawP50: 'raw ping-pong p50',
  hiveP50: 'ClusterService.request p50',
  rawP99: 'raw ping-pong p99',
  hiveP99: 'ClusterService.request p99',
} as const;

/** An IPC report's rounds as variants: one-way throughput, and round-trip p50 and p99, raw and ours. */
export function ipcVariants(report: IpcReport): VariantResult[] {
  const throughput = (name: string, samples: number[]): VariantResult => ({
    name,
    unit: 'msg/s',
    summary: summarize(samples),
    higherIsBetter: true,
  });
  const latency = (name: string, samples: number[]): VariantResult => ({
    name,
    unit: 'µs',
    summary: summarize(samples),
    higherIsBetter: false,
  });
  return [
    throughput(IPC_VARIANTS.rawSend, report.raw.messagesPerSecond),
    throughput(IPC_VARIANTS.hiveSend, report.hive.messagesPerSecond),
    latency(IPC_VARIANTS.rawP50, report.raw.roundTripP50Us),
    latency(IPC_VARIANTS.hiveP50, report.hive.roundTripP50Us),
    latency(IPC_VARIANTS.rawP99, report.raw.roundTripP99Us),
    latency(IPC_VARIANTS.hiveP99, report.hive.roundTripP99Us),
  ];
}
