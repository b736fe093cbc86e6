/**
 * `GET /health` on real forked clusters: the demo (cluster-shared store, and Redis stopped under
 * `SESSION_STORE=redis`) and the operations fixture with a slot that fails at every start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { freePort, startNode, waitFor, type RunningProcess } from '../support/processes.js';
import { OwnRedisServer, redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();

describe('GET /health of the demo on 2 workers (cluster-shared session store)', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 60_000);
  afterAll(() => demo?.stop());

  it("answers 200 in terminus' shape from every worker", async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const reply = await freshRequest(`${demo.url}/health`);
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({
        status: 'ok',
        info: { cluster: { status: 'up', ready: 2, desired: 2 }, sessionStore: { status: 'up' } },
        error: {},
        details: { cluster: { status: 'up', ready: 2, desired: 2 }, sessionStore: { status: 'up' } },
      });
      servedBy.add(String(reply.headers['x-served-by']));
    }
    expect(servedBy.size).toBe(2);
  });
});

(redisUp ? describe : describe.skip)('GET /health of the demo with SESSION_STORE=redis', () => {
  let server: OwnRedisServer;
  let demo: DemoCluster;
  beforeAll(async () => {
    server = await OwnRedisServer.start();
    demo = await startDemoCluster(2, {
      SESSION_STORE: 'redis',
      REDIS_URL: server.url,
      REDIS_NAMESPACE: 'health',
    });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    await server?.dispose();
  });

  it('answers 503 with status error within a second while Redis is stopped, and 200 again after', async () => {
    expect((await freshRequest(`${demo.url}/health`)).status).toBe(200);
    await server.pause();
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const reply = await freshRequest(`${demo.url}/health`);
      expect(reply.status).toBe(503);
      expect(reply.json).toMatchObject({
        status: 'error',
        info: { cluster: { status: 'up', ready: 2, desired: 2 } },
        error: { sessionStore: { status: 'down' } },
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    await server.resume();
    await waitFor(
      'the health check to pass again',
      async () => ((await freshRequest(`${demo.url}/health`)).status === 200 ? true : undefined),
      15_000,
      100,
    );
  }, 40_000);
});

describe('GET /health when a slot is given up', () => {
  let fixture: RunningProcess | undefined;
  afterEach(() => fixture?.stop());

  it('answers 503 with the given-up slot, while the other worker keeps serving', async () => {
    const port = await freePort();
    fixture = startNode('dist-test/fixtures/ops/app.js', {
      OPS_PORT: String(port),
      OPS_WORKERS: '2',
      OPS_FAIL_SLOT: '1',
      OPS_MAX_RESTARTS: '2',
    });
    const running = fixture;
    await waitFor(
      'the fixture to give up slot 1',
      async () => (/ops fixture ready/.test(running.output()) ? true : undefined),
      30_000,
    );
    const reply = await freshRequest(`http://127.0.0.1:${port}/health`);
    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({
      status: 'error',
      info: { sessionStore: { status: 'up' } },
      error: { cluster: { status: 'down', ready: 1, desired: 2, givenUpSlots: [1] } },
    });
    const metrics = await freshRequest(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.body).toMatch(/^nest_hive_slots_given_up 1$/m);
    expect(metrics.body).toMatch(/^nest_hive_workers\{state="ready"\} 1$/m);
  }, 40_000);
});

describe('GET /health while a crashed worker waits to be respawned', () => {
  let fixture: RunningProcess | undefined;
  afterEach(() => fixture?.stop());

  it('is degraded (still 200) with fewer ready workers than desired, then up again', async () => {
    const port = await freePort();
    fixture = startNode('dist-test/fixtures/ops/app.js', {
      OPS_PORT: String(port),
      OPS_WORKERS: '2',
      OPS_RESPAWN_DELAY_MS: '3000',
    });
    const running = fixture;
    await waitFor(
      'the fixture',
      async () => (/ops fixture ready/.test(running.output()) ? true : undefined),
      30_000,
    );
    const url = `http://127.0.0.1:${port}`;
    const { pid } = (await freshRequest(`${url}/hit`)).json as { pid: number };
    process.kill(pid, 'SIGKILL');
    const degraded = await waitFor(
      'the health check to see one worker missing',
      async () => {
        const reply = await freshRequest(`${url}/health`);
        return (reply.json as { info?: { cluster?: { ready?: number } } }).info?.cluster?.ready === 1
          ? reply
          : undefined;
      },
      2_500,
      50,
    );
    expect(degraded.status).toBe(200);
    expect(degraded.json).toMatchObject({
      info: { cluster: { status: 'degraded', ready: 1, desired: 2 } },
    });
    await waitFor(
      'the respawned worker',
      async () => {
        const reply = await freshRequest(`${url}/health`);
        return reply.status === 200 && (reply.json as { status: string }).status === 'ok' ? true : undefined;
      },
      15_000,
      200,
    );
  }, 40_000);
});
