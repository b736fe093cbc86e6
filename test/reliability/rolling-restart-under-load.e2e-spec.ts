import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import autocannon from 'autocannon';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { LoadLoop } from '../support/load-loop.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import { WorkerTableSampler } from '../support/worker-table-sampler.js';

/** The longest the restart may take; traffic runs from 2 s before the SIGHUP to 1 s after the last replacement is ready. */
const RESTART_LIMIT_MS = 60_000;
/** Hard stop of the traffic, whatever happens. */
const MAX_TRAFFIC_S = 75;
/** Three workers: with two, a restart that stopped the old worker first would still serve everything. */
const WORKERS = 3;

describe.each(HTTP_ADAPTERS)(`2. rolling restart (SIGHUP) of ${WORKERS} workers (%s)`, (adapter) => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(WORKERS, { HTTP_ADAPTER: adapter });
  }, 60_000);
  afterAll(() => demo.stop());

  it('serves traffic through a full rolling restart with zero failed requests and zero lost sessions', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `rolling-user-${i}`);
    const cookies: string[] = [];
    for (const user of users)
      cookies.push((await freshRequest(`${demo.url}/api/login`, { body: { user } })).sessionCookie as string);
    const before = await demo.workerPids();

    const freshLoop = new LoadLoop({
      url: demo.url,
      concurrency: 3,
      keepAlive: false,
      maxDurationMs: MAX_TRAFFIC_S * 1_000,
      requestTimeoutMs: 5_000,
      next: (l, n) => {
        const i = (l + n) % users.length;
        return { path: '/api/whoami', cookie: cookies[i], expectUser: users[i] };
      },
    }).start();
    // Every keep-alive answer is checked for the user its cookie belongs to, not only its status.
    const keptAlive = { answers: 0, wrongUser: 0 };
    let settle: (result: autocannon.Result) => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const keepAlive = new Promise<autocannon.Result>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const cannon = autocannon(
      {
        url: demo.url,
        connections: 8,
        duration: MAX_TRAFFIC_S,
        requests: [
          {
            method: 'GET',
            path: '/api/whoami',
            headers: { cookie: cookies[0] },
            onResponse: (status: number, body: string) => {
              keptAlive.answers++;
              let user: unknown;
              try {
                user = (JSON.parse(body) as { user?: unknown }).user;
              } catch {
                user = undefined;
              }
              if (status !== 200 || user !== users[0]) keptAlive.wrongUser++;
            },
          },
        ],
      },
      (error, result) => (error ? fail(error) : settle(result)),
    );
    await sleep(2_000);
    // How many workers are ready at each moment: a replacement must be ready before its old worker stops.
    const table = new WorkerTableSampler(demo).start();
    await sleep(200);
    const signalledAt = Date.now();
    demo.process.signal('SIGHUP');
    await waitFor(
      'every worker replaced',
      async () => {
        const pids = await demo.workerPids();
        return pids.length === WORKERS && pids.every((pid) => !before.includes(pid)) ? true : undefined;
      },
      RESTART_LIMIT_MS,
      100,
    );
    const restartMs = Date.now() - signalledAt;
    await sleep(1_000);
    const samples = await table.stop();
    cannon.stop();
    const keepAliveResult = await keepAlive;
    const fresh = await freshLoop.stop();

    const lost: string[] = [];
    for (const [i, cookie] of cookies.entries()) {
      const who = await freshRequest(`${demo.url}/api/whoami`, { cookie });
      if ((who.json as { user?: string }).user !== users[i]) lost.push(users[i]);
    }
    const failed = fresh.failed + keepAliveResult.errors + keepAliveResult.timeouts + keepAliveResult.non2xx;
    const total = fresh.ok + fresh.failed + keepAliveResult.requests.total;
    await recordReliability(
      figuresOn(adapter, {
        'rolling.requests': total,
        'rolling.failed': failed,
        'rolling.keepAliveRequests': keepAliveResult.requests.total,
        'rolling.freshConnectionRequests': fresh.ok + fresh.failed,
        'rolling.sessionsLost': lost.length,
        'rolling.workers': WORKERS,
        'rolling.restartMs': restartMs,
        'rolling.tableSamples': samples.length,
        'rolling.minReadyWorkers': table.minReady(),
        'rolling.keepAliveWrongUser': keptAlive.wrongUser,
      }),
    );
    expect(samples.length).toBeGreaterThan(20);
    // Never fewer than WORKERS ready workers: each old worker served until its replacement was ready.
    const dips = samples.filter((sample) => sample.ready < WORKERS);
    expect(dips).toEqual([]);
    // And the sampler saw it happen: each slot's replacement starting while all WORKERS were ready.
    const startingBeside = new Set(
      samples
        .filter((sample) => sample.ready === WORKERS)
        .flatMap((sample) => sample.workers.filter((w) => w.state === 'starting').map((w) => w.slot)),
    );
    expect([...startingBeside].sort()).toEqual(Array.from({ length: WORKERS }, (_, slot) => slot));
    expect(keptAlive.answers).toBeGreaterThan(1_000);
    expect(keptAlive.wrongUser).toBe(0);
    expect(fresh.failures).toEqual({});
    expect(fresh.wrongSession).toBe(0);
    expect(keepAliveResult.errors).toBe(0);
    expect(keepAliveResult.timeouts).toBe(0);
    expect(keepAliveResult.non2xx).toBe(0);
    expect(keepAliveResult.requests.total).toBeGreaterThan(1_000);
    expect(lost).toEqual([]);
  }, 120_000);
});
