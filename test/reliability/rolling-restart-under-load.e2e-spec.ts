import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import autocannon from 'autocannon';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freshRequest } from '../support/fresh-http.js';
import { LoadLoop } from '../support/load-loop.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';

const DURATION_S = Number(process.env.RELIABILITY_DURATION_S ?? 10);

describe.each(HTTP_ADAPTERS)('2. rolling restart (SIGHUP) under mixed load (%s)', (adapter) => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter });
  }, 40_000);
  afterAll(() => demo.stop());

  it(`serves ${DURATION_S} s of traffic through a full rolling restart with zero failed requests and zero lost sessions`, async () => {
    const users = Array.from({ length: 10 }, (_, i) => `rolling-user-${i}`);
    const cookies: string[] = [];
    for (const user of users)
      cookies.push((await freshRequest(`${demo.url}/api/login`, { body: { user } })).sessionCookie as string);
    const before = await demo.workerPids();

    const freshLoop = new LoadLoop({
      url: demo.url,
      concurrency: 3,
      keepAlive: false,
      maxDurationMs: DURATION_S * 1_000 + 5_000,
      requestTimeoutMs: 5_000,
      next: (l, n) => {
        const i = (l + n) % users.length;
        return { path: '/api/whoami', cookie: cookies[i], expectUser: users[i] };
      },
    }).start();
    const keepAlive = autocannon({
      url: `${demo.url}/api/whoami`,
      connections: 8,
      duration: DURATION_S,
      headers: { cookie: cookies[0] },
    });
    await sleep(2_000);
    demo.process.signal('SIGHUP');
    await waitFor(
      'every worker replaced',
      async () => {
        const pids = await demo.workerPids();
        return pids.length === 2 && pids.every((pid) => !before.includes(pid)) ? true : undefined;
      },
      DURATION_S * 1_000,
      100,
    );
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
      }),
    );
    expect(fresh.failures).toEqual({});
    expect(fresh.wrongSession).toBe(0);
    expect(keepAliveResult.errors).toBe(0);
    expect(keepAliveResult.timeouts).toBe(0);
    expect(keepAliveResult.non2xx).toBe(0);
    expect(keepAliveResult.requests.total).toBeGreaterThan(1_000);
    expect(lost).toEqual([]);
  }, 60_000);
});
