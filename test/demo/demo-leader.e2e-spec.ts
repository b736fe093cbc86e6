/**
 * The demo's leader contract (issue 27, point 6): `GET /api/cluster/leader` names the same worker
 * from every worker, and the leader-only job (every 500 ms) ticks in that worker alone.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { waitFor } from '../support/processes.js';
import { requestServedBy } from '../support/worker-targeting.js';

describe('demo: one leader and its job', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 60_000);
  afterAll(() => demo.stop());

  it('names the same leader from every worker, and only the leader ticks', async () => {
    const pids = await demo.workerPids();
    const leader = await waitFor(
      'a leader',
      async () => {
        const reply = await requestServedBy(`${demo.url}/api/cluster/leader`, pids[0]);
        return reply.status === 200 ? (reply.json as { workerId: number; pid: number }) : undefined;
      },
      10_000,
      100,
    );
    for (const pid of pids) {
      const reply = await requestServedBy(`${demo.url}/api/cluster/leader`, pid);
      expect(reply.json).toEqual(leader);
    }
    expect(pids).toContain(leader.pid);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    for (const pid of pids) {
      const reply = await requestServedBy(`${demo.url}/api/jobs/ticks`, pid);
      const { ticks, workerId } = reply.json as { pid: number; workerId: number; ticks: number };
      if (pid === leader.pid) {
        expect(ticks).toBeGreaterThanOrEqual(3);
        expect(workerId).toBe(leader.workerId);
      } else {
        expect(ticks).toBe(0);
      }
    }
  }, 60_000);
});
