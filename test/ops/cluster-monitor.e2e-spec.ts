/**
 * `@nest-hive/cluster/monitor` through the demo's `GET /api/console/monitor`, on a real forked
 * cluster of 2 workers: every worker's samples, asked over IPC by whichever worker serves it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';

interface Sample {
  at: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  cpuPercent: number;
  eventLoopLagP99Ms: number;
  requestsPerSecond: number;
}
interface Snapshot {
  at: number;
  intervalMs: number;
  workers: Array<{ id: number; slot: number; pid: number; state: string; samples: Sample[] }>;
}

describe('the cluster monitor on 2 workers', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 60_000);
  afterAll(() => demo?.stop());

  async function snapshot(since?: number): Promise<Snapshot> {
    const reply = await freshRequest(
      `${demo.url}/api/console/monitor${since === undefined ? '' : `?since=${since}`}`,
    );
    expect(reply.status).toBe(200);
    return reply.json as Snapshot;
  }

  it('lists every worker with samples each second: memory, CPU, loop lag and requests per second', async () => {
    const pids = await demo.workerPids();
    // About 20 requests per second for 3 s, spread over both workers.
    for (let i = 0; i < 30; i++) {
      await Promise.all([freshRequest(`${demo.url}/api/ping`), freshRequest(`${demo.url}/api/ping`)]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const full = await waitFor(
      '3 samples of each worker',
      async () => {
        const taken = await snapshot();
        return taken.workers.length === 2 && taken.workers.every((w) => w.samples.length >= 3)
          ? taken
          : undefined;
      },
      10_000,
      250,
    );
    expect(full.intervalMs).toBe(1_000);
    expect(full.workers.map((worker) => worker.pid).sort()).toEqual([...pids].sort());
    for (const worker of full.workers) {
      const times = worker.samples.map((sample) => sample.at);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      for (const sample of worker.samples) {
        expect(sample.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
        expect(sample.heapUsedBytes).toBeGreaterThan(0);
        expect(sample.heapUsedBytes).toBeLessThanOrEqual(sample.heapTotalBytes);
        expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
        expect(sample.eventLoopLagP99Ms).toBeGreaterThanOrEqual(0);
        expect(sample.requestsPerSecond).toBeGreaterThanOrEqual(0);
      }
      // Both workers served part of the load, and their samples say so.
      expect(Math.max(...worker.samples.map((sample) => sample.requestsPerSecond))).toBeGreaterThan(1);
    }

    const latest = Math.max(...full.workers.flatMap((worker) => worker.samples.map((sample) => sample.at)));
    const later = await snapshot(latest);
    for (const worker of later.workers)
      for (const sample of worker.samples) expect(sample.at).toBeGreaterThan(latest);
  }, 30_000);

  it('answers 400 for a since that is not a time', async () => {
    expect((await freshRequest(`${demo.url}/api/console/monitor?since=-5`)).status).toBe(400);
    expect((await freshRequest(`${demo.url}/api/console/monitor?since=soon`)).status).toBe(400);
  });
});
