import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { type BenchContext } from '../lib/bench-context.js';
import { type CaseResult, ratio, type VariantResult } from '../lib/report.js';
import { BENCH_DIST, type ServerProcess, startServer } from '../lib/server-process.js';
import { summarize } from '../lib/stats.js';

/** Sockets per worker. */
const SOCKETS_PER_WORKER = 10;

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Fanout {
  readonly server: ServerProcess;
  readonly sockets: Socket[];
  readonly counts: number[];
}

async function startFanout(adapter: 'hive' | 'sio-cluster'): Promise<Fanout> {
  const port = await freePort();
  const server = await startServer(
    `socket fan-out (${adapter})`,
    `${BENCH_DIST}/servers/socket-fanout-app.js`,
    {
      PORT: String(port),
      ADAPTER: adapter,
    },
  );
  const sockets: Socket[] = [];
  const counts: number[] = [];
  for (let i = 0; i < SOCKETS_PER_WORKER * 2; i++) {
    const socket = io(server.url, { transports: ['websocket'], forceNew: true });
    const index = i;
    counts.push(0);
    socket.on('m', () => (counts[index] = (counts[index] ?? 0) + 1));
    sockets.push(socket);
  }
  const deadline = Date.now() + 15_000;
  while (!sockets.every((socket) => socket.connected)) {
    if (Date.now() > deadline) throw new Error(`${adapter}: clients did not connect`);
    await sleep(20);
  }
  await sleep(500); // the adapters' first heartbeats
  return { server, sockets, counts };
}

/** One round: `count` emits from one worker; emits per second until every socket got all of them. */
async function blast(fanout: Fanout, count: number): Promise<number> {
  fanout.counts.fill(0);
  const started = process.hrtime.bigint();
  await fanout.sockets[0].timeout(30_000).emitWithAck('blast', { count });
  const deadline = Date.now() + 60_000;
  while (!fanout.counts.every((received) => received >= count)) {
    if (Date.now() > deadline) throw new Error('the fan-out did not complete in 60 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

/**
 * Case 10: socket.io fan-out across 2 workers: emits per second, each reaching 20 sockets (10 on
 * the emitting worker, 10 on the other through the adapter), with ClusterIoAdapter against
 * @socket.io/cluster-adapter. Rounds alternate between the two.
 */
export async function socketFanoutCase(context: BenchContext): Promise<CaseResult> {
  const count = context.quick ? 2_000 : 10_000;
  const fanouts: Fanout[] = [];
  try {
    fanouts.push(await startFanout('hive'));
    fanouts.push(await startFanout('sio-cluster'));
    const [hive, sio] = fanouts as [Fanout, Fanout];
    await blast(hive, 200);
    await blast(sio, 200);
    const hiveRates: number[] = [];
    const sioRates: number[] = [];
    for (let round = 0; round < context.rounds; round++) {
      hiveRates.push(await blast(hive, count));
      sioRates.push(await blast(sio, count));
      context.log(
        `  fan-out round ${round + 1}: ClusterIoAdapter ${Math.round(hiveRates.at(-1)!)} emits/s, ` +
          `@socket.io/cluster-adapter ${Math.round(sioRates.at(-1)!)} emits/s`,
      );
    }
    const variants: VariantResult[] = [
      {
        name: 'ClusterIoAdapter (cluster messaging)',
        unit: 'emits/s',
        summary: summarize(hiveRates),
        higherIsBetter: true,
      },
      {
        name: '@socket.io/cluster-adapter (process.send)',
        unit: 'emits/s',
        summary: summarize(sioRates),
        higherIsBetter: true,
      },
    ];
    return {
      id: '11',
      title: `socket.io fan-out, 2 workers × ${SOCKETS_PER_WORKER} sockets`,
      variants,
      ratios: [
        ratio(
          'ClusterIoAdapter / @socket.io/cluster-adapter',
          variants[0].summary.median / variants[1].summary.median,
          undefined,
          'each emit reaches 20 sockets',
        ),
      ],
    };
  } finally {
    for (const fanout of fanouts) {
      for (const socket of fanout.sockets) socket.close();
      await fanout.server.stop();
    }
  }
}
