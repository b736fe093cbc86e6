/**
 * Issue 27, point 1: the restart rules on a real forked demo under load. A worker over
 * `WORKER_MAX_MEMORY_MB` and workers past `WORKER_MAX_AGE_MS` are replaced like in a rolling
 * restart, with no failed request; a worker whose event loop is blocked past
 * `WORKER_HANG_TIMEOUT_MS` is killed and its slot respawned long before the block would end. Each
 * replacement is a `recycle` event, a metric and a log line of the primary.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { openEventStreamOnEach, type OpenEventStream } from '../support/event-stream.js';
import { freshRequest } from '../support/fresh-http.js';
import { type LoadLoop } from '../support/load-loop.js';
import { expectNoFailedRequest, startSessionTraffic } from '../support/session-traffic.js';
import { waitFor } from '../support/processes.js';

/** Hard stop of the traffic, whatever happens. */
const MAX_TRAFFIC_MS = 60_000;

interface RecycleEvent {
  type: 'recycle' | 'exit';
  workerId: number;
  slot: number;
  pid: number;
  reason: string;
  detail?: string;
}

/**
 * The lifecycle events of type `type` the demo's event streams carried so far, one stream per
 * worker (a stream ends with the worker that serves it), without the copies, in order.
 */
function lifecycle(streams: readonly OpenEventStream[], type: RecycleEvent['type']): RecycleEvent[] {
  const seen = new Map<string, RecycleEvent & { at: number }>();
  for (const stream of streams) {
    for (const match of stream.text().matchAll(/^event: lifecycle\n(?:id: .*\n)?data: (.+)$/gm)) {
      const { servedBy: _servedBy, ...event } = JSON.parse(match[1] ?? '{}') as RecycleEvent & {
        at: number;
        servedBy: unknown;
      };
      if (event.type === type) seen.set(JSON.stringify(event), event);
    }
  }
  return [...seen.values()].sort((a, b) => a.at - b.at);
}

/** The traffic of every test. */
const sessionTraffic = (demo: DemoCluster): Promise<LoadLoop[]> =>
  startSessionTraffic(demo.url, {
    label: 'rules-user',
    users: 4,
    newConnections: 2,
    keepAlive: 2,
    maxDurationMs: MAX_TRAFFIC_MS,
  });

/** Stops the loops and checks that none failed and each served plenty. */
const expectNoFailure = (label: string, loops: LoadLoop[]): Promise<void> =>
  expectNoFailedRequest(label, loops, 50);

async function recycleCount(demo: DemoCluster, reason: string): Promise<number> {
  const metrics = (await freshRequest(`${demo.url}/metrics`)).body;
  const line = new RegExp(`^nest_hive_worker_recycles_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(
    metrics,
  );
  return Number(line?.[1] ?? NaN);
}

describe('restart rules on a forked demo', () => {
  let demo: DemoCluster | undefined;
  let streams: OpenEventStream[] = [];
  afterEach(async () => {
    streams.forEach((one) => one.close());
    await demo?.stop();
    demo = undefined;
  });

  it('replaces a worker over WORKER_MAX_MEMORY_MB gracefully, with zero failed requests', async () => {
    demo = await startDemoCluster(2, { WORKER_MAX_MEMORY_MB: '400', DEMO_ALLOW_CHAOS: '1' });
    streams = await openEventStreamOnEach(`${demo.url}/api/cluster/events`, await demo.workerPids());
    const loops = await sessionTraffic(demo);
    let leaker: { pid: number; workerId: number; heldMb: number } | undefined;
    try {
      leaker = (await freshRequest(`${demo.url}/api/chaos/leak`, { body: { mb: 450 } }))
        .json as typeof leaker;
      const { pid } = leaker as { pid: number };
      // Three heartbeats a second apart over the limit, then a replacement made ready before it stops.
      await waitFor(
        `worker ${pid} replaced`,
        async () => {
          const workers = await demo!.workers();
          const ready = workers.filter((worker) => worker.state === 'ready');
          return ready.length === 2 && !workers.some((worker) => worker.pid === pid) ? true : undefined;
        },
        30_000,
        100,
      );
    } finally {
      await expectNoFailure('memoryRule', loops);
    }
    const [event] = lifecycle(streams, 'recycle');
    expect(event).toMatchObject({ pid: leaker?.pid, workerId: leaker?.workerId, reason: 'memory' });
    expect(event?.detail).toMatch(
      /^RSS \d+ MiB above recycle\.maxMemoryMb \(400 MiB\) for 3 heartbeats in a row$/,
    );
    expect(lifecycle(streams, 'exit')).toEqual([
      expect.objectContaining({ pid: leaker?.pid, reason: 'stopped' }),
    ]);
    expect(await recycleCount(demo, 'memory')).toBe(1);
    expect(demo.process.output()).toMatch(
      new RegExp(`Worker ${leaker?.workerId} \\(slot \\d\\) recycled \\(memory\\)`),
    );
  }, 90_000);

  it('kills a worker whose event loop is blocked past WORKER_HANG_TIMEOUT_MS and respawns its slot', async () => {
    demo = await startDemoCluster(2, { WORKER_HANG_TIMEOUT_MS: '2000', DEMO_ALLOW_CHAOS: '1' });
    streams = await openEventStreamOnEach(`${demo.url}/api/cluster/events`, await demo.workerPids());
    const blockMs = 60_000;
    const sentAt = Date.now();
    const blocked = (await freshRequest(`${demo.url}/api/chaos/block`, { body: { ms: blockMs } })).json as {
      pid: number;
      workerId: number;
    };
    await waitFor(
      `worker ${blocked.pid} killed and its slot respawned`,
      async () => {
        const workers = await demo!.workers();
        const ready = workers.filter((worker) => worker.state === 'ready');
        return ready.length === 2 && !workers.some((worker) => worker.pid === blocked.pid) ? true : undefined;
      },
      blockMs / 2,
      100,
    );
    const replacedAfterMs = Date.now() - sentAt;
    console.log(JSON.stringify({ hangRule: { hangTimeoutMs: 2000, replacedAfterMs } }));
    expect(() => process.kill(blocked.pid, 0)).toThrow(); // gone, though its block had most of a minute left
    expect(lifecycle(streams, 'recycle')).toEqual([
      expect.objectContaining({
        pid: blocked.pid,
        reason: 'hang',
        detail: expect.stringMatching(/^no heartbeat answered for \d+ ms/),
      }),
    ]);
    expect(lifecycle(streams, 'exit')).toEqual([
      expect.objectContaining({ pid: blocked.pid, reason: 'hang', signal: 'SIGKILL' }),
    ]);
    expect(await recycleCount(demo, 'hang')).toBe(1);
    // The cluster serves again on both workers.
    const loops = await sessionTraffic(demo);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expectNoFailure('afterHang', loops);
  }, 90_000);

  it('replaces workers past WORKER_MAX_AGE_MS one slot at a time, staggered, with zero failed requests', async () => {
    demo = await startDemoCluster(2, { WORKER_MAX_AGE_MS: '6000' });
    streams = await openEventStreamOnEach(`${demo.url}/api/cluster/events`, await demo.workerPids());
    const first = await demo.workers();
    const loops = await sessionTraffic(demo);
    try {
      await waitFor(
        'both first workers recycled',
        () => (lifecycle(streams, 'recycle').length >= 2 ? true : undefined),
        20_000,
        100,
      );
      await waitFor(
        'two ready workers, none of the first',
        async () => {
          const workers = await demo!.workers();
          const ready = workers.filter((worker) => worker.state === 'ready');
          const fresh = ready.every((worker) => !first.some((old) => old.pid === worker.pid));
          return ready.length === 2 && fresh ? true : undefined;
        },
        20_000,
        100,
      );
    } finally {
      await expectNoFailure('maxAgeRule', loops);
    }
    const recycles = lifecycle(streams, 'recycle').slice(0, 2);
    // Slot 1 of 2 leaves at 4.5 s, slot 0 at 6 s: the first generation is spread out.
    expect(recycles.map((event) => [event.slot, event.reason])).toEqual([
      [1, 'max-age'],
      [0, 'max-age'],
    ]);
    expect(recycles.map((event) => event.pid).sort()).toEqual(first.map((worker) => worker.pid).sort());
    expect(await recycleCount(demo, 'max-age')).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
