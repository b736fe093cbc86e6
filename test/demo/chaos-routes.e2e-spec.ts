/**
 * The demo's chaos routes (issue 27, point 6): off unless `DEMO_ALLOW_CHAOS=1`, bad values refused,
 * and each answers with the worker it hit. What they cause is tested in `test/reliability/restart-rules`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';

describe('demo chaos routes', () => {
  let off: DemoCluster;
  let on: DemoCluster;
  beforeAll(async () => {
    [off, on] = await Promise.all([startDemoCluster(1), startDemoCluster(1, { DEMO_ALLOW_CHAOS: '1' })]);
  }, 60_000);
  afterAll(() => Promise.all([off?.stop(), on?.stop()]));

  it('answers 403 without DEMO_ALLOW_CHAOS=1, naming the variable', async () => {
    for (const fault of ['leak', 'block']) {
      const reply = await freshRequest(`${off.url}/api/chaos/${fault}`, { body: { mb: 1, ms: 1 } });
      expect(reply.status).toBe(403);
      expect(reply.body).toContain('DEMO_ALLOW_CHAOS=1');
    }
    expect((await freshRequest(`${off.url}/api/console/config`)).json).toMatchObject({ allowChaos: false });
  });

  it('refuses values out of range with 400', async () => {
    for (const [fault, body] of [
      ['leak', { mb: 0 }],
      ['leak', { mb: 2000 }],
      ['leak', { mb: '5' }],
      ['block', { ms: 1.5 }],
      ['block', {}],
    ] as const) {
      expect((await freshRequest(`${on.url}/api/chaos/${fault}`, { body })).status).toBe(400);
    }
  });

  it('leaks on the worker that answers and names it', async () => {
    const [worker] = await on.workers();
    const first = await freshRequest(`${on.url}/api/chaos/leak`, { body: { mb: 8 } });
    const second = await freshRequest(`${on.url}/api/chaos/leak`, { body: { mb: 8 } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ pid: worker?.pid, workerId: worker?.id, heldMb: 8 });
    expect(second.json).toMatchObject({ heldMb: 16 });
    expect((await freshRequest(`${on.url}/api/console/config`)).json).toMatchObject({ allowChaos: true });
  });
});
