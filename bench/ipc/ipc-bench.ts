/**
 * IPC benchmark, primary ↔ 1 worker, ~100-byte JSON, raw Node against
 * `@nest-hive/cluster` in the same process tree, in interleaved blocks:
 * - one-way: the worker sends `messages` messages with at most `window` in
 *   flight; raw `process.send` (in flight = write callback not yet called)
 *   against `ClusterService.send(topic, payload, { to: 'primary' })` (in
 *   flight = promise not yet resolved);
 * - round trips: sequential raw ping-pong against `ClusterService.request()`
 *   answered by a handler in the primary.
 * Prints one IpcReport JSON line from the primary, then shuts down.
 */
import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bootstrapCluster, ClusterModule, ClusterService, defineTopic } from '@nest-hive/cluster';
import { payload, percentileUs, workloadFromEnv, type IpcReport, type IpcSeries } from './ipc-workload.js';
import { isRawBenchMessage, type RawBenchMessage } from './raw-messages.js';

const work = workloadFromEnv();
type Payload = ReturnType<typeof payload>;
const ONE_WAY = defineTopic<Payload>('bench:one-way');
const ONE_WAY_DONE = defineTopic<null>('bench:one-way-done');
const PING = defineTopic<Payload, Payload>('bench:ping');
const REPORT = defineTopic<IpcReport>('bench:report');

@Module({ imports: [ClusterModule.forRoot()] })
class BenchModule {}

const handle = await bootstrapCluster({
  workers: 1,
  reloadSignal: null,
  primary: async (runtime) => {
    let rawReceived = 0;
    let hiveReceived = 0;
    cluster.on('message', (worker: Worker, message: unknown) => {
      if (!isRawBenchMessage(message)) return;
      if (message.bench === 'one-way' && ++rawReceived % work.messages === 0) {
        worker.send({ bench: 'one-way-done' } satisfies RawBenchMessage);
      } else if (message.bench === 'ping') {
        worker.send({ bench: 'pong', seq: message.seq, text: message.text } satisfies RawBenchMessage);
      }
    });
    runtime.messaging.on(ONE_WAY).subscribe(() => {
      if (++hiveReceived % work.messages === 0) void runtime.messaging.broadcast(ONE_WAY_DONE, null);
    });
    runtime.handle(PING, (message) => message);
    runtime.messaging.on(REPORT).subscribe((report) => {
      console.log(JSON.stringify(report));
      if (handle.role === 'primary') void handle.shutdown().then(() => process.exit(0));
    });
  },
  worker: async () => {
    const app = await NestFactory.create(BenchModule, { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    const service = app.get(ClusterService);
    setImmediate(() => void runWorker(service));
    return app;
  },
});

function rawSend(message: RawBenchMessage, callback?: (error: Error | null) => void): void {
  process.send?.(message, undefined, {}, callback);
}

function nextRaw(kind: RawBenchMessage['bench']): Promise<void> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      if (isRawBenchMessage(message) && message.bench === kind) {
        process.off('message', listener);
        resolve();
      }
    };
    process.on('message', listener);
  });
}

async function rawOneWay(): Promise<number> {
  const done = nextRaw('one-way-done');
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < work.window && sent < work.messages) {
        inFlight++;
        rawSend({ bench: 'one-way', ...payload(sent++) }, () => {
          inFlight--;
          if (sent === work.messages && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await done;
  return work.messages / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function hiveOneWay(service: ClusterService): Promise<number> {
  const done = new Promise<void>((resolve) => {
    const subscription = service.on(ONE_WAY_DONE).subscribe(() => {
      subscription.unsubscribe();
      resolve();
    });
  });
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < work.window && sent < work.messages) {
        inFlight++;
        service.send(ONE_WAY, payload(sent++), { to: 'primary' }).then(() => {
          inFlight--;
          if (sent === work.messages && inFlight === 0) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  await done;
  return work.messages / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Sequential round trips, raw and nest-hive alternating one by one, so both
 * see the same machine state (the latency of a single hop on a shared box
 * swings by several times between seconds).
 */
async function roundTrips(service: ClusterService): Promise<{ raw: bigint[]; hive: bigint[] }> {
  const raw: bigint[] = [];
  const hive: bigint[] = [];
  for (let i = 0; i < work.roundTrips; i++) {
    const rawStarted = process.hrtime.bigint();
    const pong = nextRaw('pong');
    rawSend({ bench: 'ping', ...payload(i) });
    await pong;
    raw.push(process.hrtime.bigint() - rawStarted);
    const hiveStarted = process.hrtime.bigint();
    await service.request(PING, payload(i), { to: 'primary' });
    hive.push(process.hrtime.bigint() - hiveStarted);
  }
  return { raw, hive };
}

function record(series: IpcSeries, throughput: number, samples: bigint[]): void {
  series.messagesPerSecond.push(throughput);
  series.roundTripP50Us.push(percentileUs(samples, 50));
  series.roundTripP99Us.push(percentileUs(samples, 99));
}

async function runWorker(service: ClusterService): Promise<void> {
  const report: IpcReport = {
    raw: { messagesPerSecond: [], roundTripP50Us: [], roundTripP99Us: [] },
    hive: { messagesPerSecond: [], roundTripP50Us: [], roundTripP99Us: [] },
  };
  // Warm-up of both paths, not recorded.
  await rawOneWay();
  await hiveOneWay(service);
  await roundTrips(service);
  for (let round = 0; round < work.rounds; round++) {
    const rawFirst = round % 2 === 0;
    const rawThroughput = rawFirst ? await rawOneWay() : 0;
    const hiveThroughput = await hiveOneWay(service);
    const rawThroughputSecond = rawFirst ? rawThroughput : await rawOneWay();
    const samples = await roundTrips(service);
    record(report.raw, rawThroughputSecond, samples.raw);
    record(report.hive, hiveThroughput, samples.hive);
  }
  await service.send(REPORT, report, { to: 'primary' });
}
