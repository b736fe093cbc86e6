/**
 * Issue 27, point 2: the console's scale route. With `DEMO_ALLOW_KILL=1` a page of the console's
 * own origin asks the primary to run 1 to 8 workers; the worker table reports `desired` and the
 * workers come and go; a count out of range, another origin or a scaling already running are
 * refused with the status that says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';

interface WorkersReply {
  desired: number;
  workers: Array<{ slot: number; state: string }>;
}

describe('console scale route, 2 workers, DEMO_ALLOW_KILL=1', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { DEMO_ALLOW_KILL: '1' });
  }, 40_000);
  afterAll(() => demo.stop());

  const scale = (body: unknown, headers: Record<string, string> = {}) =>
    freshRequest(`${demo.url}/api/console/scale`, { body, headers });
  const table = async () => (await freshRequest(`${demo.url}/api/cluster/workers`)).json as WorkersReply;
  const readyAt = (count: number) =>
    waitFor(
      `${count} ready workers`,
      async () => {
        const { desired, workers } = await table();
        const ready = workers.filter((worker) => worker.state === 'ready').length;
        return desired === count && workers.length === count && ready === count ? true : undefined;
      },
      30_000,
      100,
    );

  it('answers 400 for a count out of 1..8, and scales nothing', async () => {
    for (const workers of [0, 9, 2.5, '3', null]) {
      const reply = await scale({ workers });
      expect([workers, reply.status]).toEqual([workers, 400]);
    }
    expect((await table()).desired).toBe(2);
  });

  it('answers 403 to a page of another origin, and scales nothing', async () => {
    const reply = await scale({ workers: 3 }, { origin: 'http://attacker.invalid' });
    expect(reply.status).toBe(403);
    expect((await table()).desired).toBe(2);
  });

  it('scales up (202 { desired }), refuses a second scaling while one runs (409), then scales down', async () => {
    const up = await scale({ workers: 3 });
    expect({ status: up.status, json: up.json }).toEqual({ status: 202, json: { desired: 3 } });
    const meanwhile = await scale({ workers: 1 });
    expect(meanwhile.status).toBe(409);
    expect((meanwhile.json as { message: string }).message).toBe(
      'The cluster did not scale: Cannot scale while the cluster is scaling; wait for it to finish.',
    );
    await readyAt(3);
    const down = await scale({ workers: 1 });
    expect({ status: down.status, json: down.json }).toEqual({ status: 202, json: { desired: 1 } });
    await readyAt(1);
    expect((await table()).workers.map((worker) => worker.slot)).toEqual([0]);
  }, 60_000);
});
