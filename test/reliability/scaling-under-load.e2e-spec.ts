/**
 * Issue 27, point 2: scaling at runtime under load. `SIGTTIN` adds a worker and `SIGTTOU` removes
 * one (gunicorn's and unicorn's convention); scaling down drains the removed workers like a rolling
 * restart, so no request fails, on new connections or on keep-alive ones.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { expectNoFailedRequest, startSessionTraffic } from '../support/session-traffic.js';
import { waitFor } from '../support/processes.js';

/** Hard stop of the traffic, whatever happens. */
const MAX_TRAFFIC_MS = 90_000;

interface WorkersReply {
  desired: number;
  workers: Array<{ pid: number; slot: number; state: string }>;
}

describe('scaling at runtime (SIGTTIN / SIGTTOU) under load', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 60_000);
  afterAll(() => demo.stop());

  const table = async (): Promise<WorkersReply> =>
    (await freshRequest(`${demo.url}/api/cluster/workers`)).json as WorkersReply;

  /** Waits until exactly `count` workers run, all ready, in slots 0..count-1, and `desired` says so. */
  async function settledAt(count: number): Promise<WorkersReply> {
    return waitFor(
      `${count} ready workers`,
      async () => {
        const reply = await table();
        const slots = reply.workers.map((worker) => worker.slot).sort((a, b) => a - b);
        const ready = reply.workers.every((worker) => worker.state === 'ready');
        const expected = Array.from({ length: count }, (_, slot) => slot);
        return reply.desired === count && ready && slots.join() === expected.join() ? reply : undefined;
      },
      30_000,
      100,
    );
  }

  it('adds workers with SIGTTIN and drains them away with SIGTTOU, with zero failed requests', async () => {
    const loops = await startSessionTraffic(demo.url, {
      label: 'scaling-user',
      users: 6,
      newConnections: 3,
      keepAlive: 4,
      maxDurationMs: MAX_TRAFFIC_MS,
    });
    const primary = demo.process.child.pid as number;
    try {
      process.kill(primary, 'SIGTTIN');
      await settledAt(3);
      process.kill(primary, 'SIGTTIN');
      const four = await settledAt(4);
      expect(new Set(four.workers.map((worker) => worker.pid)).size).toBe(4);
      // Every worker serves: the new ones take connections too.
      await waitFor(
        'a request answered by each of the 4 workers',
        () => {
          const served = new Set(loops.flatMap((loop) => Object.keys(loop.stats.okByWorker).map(Number)));
          return four.workers.every((worker) => served.has(worker.pid)) ? true : undefined;
        },
        10_000,
        100,
      );
      // Three in a row, each once the cluster took the one before into account (the kernel merges a
      // signal sent while the same one is still pending).
      for (const desired of [3, 2, 1]) {
        process.kill(primary, 'SIGTTOU');
        await waitFor(
          `desired ${desired}`,
          async () => ((await table()).desired === desired ? true : undefined),
          10_000,
          20,
        );
      }
      const one = await settledAt(1);
      expect(one.workers.map((worker) => worker.pid)).toEqual([four.workers.find((w) => w.slot === 0)?.pid]);
      // One worker is the fewest: another SIGTTOU changes nothing.
      process.kill(primary, 'SIGTTOU');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await table()).desired).toBe(1);
    } finally {
      await expectNoFailedRequest('scalingUnderLoad', loops, 100);
    }
  }, 120_000);
});
