/**
 * Issue 28, the fleet rehearsal, under faults: two machines (network namespaces), each the demo on 2
 * workers, behind HAProxy (health checks on `/health` every second, 2 to change a state), on one
 * Redis, with logged-in users' traffic through the balancer all along:
 * - a rolling deploy (each machine's primary sent `SIGHUP` in turn) fails no request, and neither
 *   does a machine stopped (`SIGTERM`, which its `SHUTDOWN_DELAY_MS` makes the balancer see first)
 *   and started again;
 * - a machine dies (every process of its namespace `kill -9`ed): only requests in flight on it fail,
 *   the balancer drops it, nobody is logged out, and it rejoins once started again;
 * - a machine's link is cut: the balancer drops it, only requests it had taken fail, and it rejoins
 *   with its processes once the link is back;
 * - a machine is cut off from Redis (a firewall rule inside it drops its packets to Redis): its
 *   `/health` turns 503 and the balancer routes around it; asked directly, its session routes answer
 *   503 in bounded time and never a stale session; nothing crashes; it recovers by itself.
 * Each prints one JSON line of figures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshRequest } from '../support/fresh-http.js';
import type { LoadLoopStats } from '../support/load-loop.js';
import { waitFor } from '../support/processes.js';
import { expectNoFailedRequest, startSessionTraffic } from '../support/session-traffic.js';
import { Fleet, fleetSuiteMode, HOST_NAMES } from './fleet.js';
import { HOST_WORKERS } from './fleet-host.js';
import { hostOf } from './fleet-requests.js';

const describeFleet = fleetSuiteMode() === 'run' ? describe : describe.skip;
/** Traffic: logged-in users on new connections and on keep-alive ones, through the balancer. */
const TRAFFIC = { users: 8, newConnections: 4, keepAlive: 4, maxDurationMs: 60_000 };
/** A session route on a machine cut off from Redis answers within this (the store's 2 s operation timeout, and some). */
const CUT_OFF_ANSWER_MS = 3_000;

/** Answered requests by host, from the pids in `x-served-by` (`gone`: a worker no host runs now). */
async function okByHost(fleet: Fleet, stats: LoadLoopStats[]): Promise<Record<string, number>> {
  const byHost: Record<string, number> = {};
  const hostPids = await Promise.all(
    fleet.hosts.map(async (host) => [host.name, await host.workerPids().catch((): number[] => [])] as const),
  );
  for (const { okByWorker } of stats) {
    for (const [pid, count] of Object.entries(okByWorker)) {
      const name = hostPids.find(([, pids]) => pids.includes(Number(pid)))?.[0] ?? 'gone';
      byHost[name] = (byHost[name] ?? 0) + count;
    }
  }
  return byHost;
}

/** Failures of every loop, by cause. */
function failuresByCause(stats: LoadLoopStats[]): Record<string, number> {
  const causes: Record<string, number> = {};
  for (const { cause } of stats.flatMap(({ failureLog }) => failureLog))
    causes[cause] = (causes[cause] ?? 0) + 1;
  return causes;
}

/**
 * Once a fault is over: 1.5 s of traffic through the balancer with no failed request and no wrong
 * session (every user still logged in), more than 20 answered, by both machines.
 */
async function expectBothMachinesServeEveryone(fleet: Fleet, label: string): Promise<void> {
  const loops = await startSessionTraffic(fleet.url, { label, ...TRAFFIC, maxDurationMs: 3_000 });
  await sleep(1_500);
  const stats = await Promise.all(loops.map((loop) => loop.stop()));
  expect(stats.map(({ failed, wrongSession }) => ({ failed, wrongSession }))).toEqual(
    stats.map(() => ({ failed: 0, wrongSession: 0 })),
  );
  expect(stats.reduce((sum, { ok }) => sum + ok, 0)).toBeGreaterThan(20);
  expect(Object.keys(await okByHost(fleet, stats)).sort()).toEqual([...HOST_NAMES]);
}

describeFleet('fleet: faults under traffic, behind HAProxy on one Redis', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await Fleet.start('single');
  }, 90_000);
  afterAll(() => fleet?.dispose());

  it('deploys machine after machine (SIGHUP to each primary) with 0 failed requests', async () => {
    const traffic = await startSessionTraffic(fleet.url, { label: 'fleet-deploy', ...TRAFFIC });
    const took: Record<string, number> = {};
    for (const host of fleet.hosts) {
      const before = await host.workerPids();
      const started = Date.now();
      host.primary.signal('SIGHUP');
      await waitFor(
        `a rolling restart of ${host.name}`,
        async () => {
          const pids = await host.workerPids();
          return pids.length === HOST_WORKERS && !pids.some((pid) => before.includes(pid)) ? true : undefined;
        },
        30_000,
        100,
      );
      took[host.name] = Date.now() - started;
    }
    console.log(JSON.stringify({ rollingDeployMs: took }));
    await expectNoFailedRequest('fleet rolling deploy', traffic, 100);
  }, 90_000);

  it('stops a machine (SIGTERM) and starts it again under load with 0 failed requests', async () => {
    const traffic = await startSessionTraffic(fleet.url, { label: 'fleet-stop', ...TRAFFIC });
    await sleep(1_000);
    const h2 = fleet.host('h2');
    const stoppingAt = Date.now();
    const down = fleet.balancer.waitFor('h2', 'DOWN');
    const code = await h2.stop();
    const stoppedAt = Date.now();
    const downAt = await down;
    await sleep(1_000);
    const restartedAt = Date.now();
    await h2.start();
    const upAt = await fleet.balancer.waitFor('h2', 'UP');
    await sleep(1_000);
    const figures = {
      exitCode: code,
      balancerDownAfterMs: downAt - stoppingAt,
      exitedAfterMs: stoppedAt - stoppingAt,
      rejoinedAfterStartMs: upAt - restartedAt,
    };
    console.log(JSON.stringify({ machineStop: figures }));
    expect(code).toBe(0);
    // SHUTDOWN_DELAY_MS: the balancer dropped the machine while it still served.
    expect(downAt).toBeLessThan(stoppedAt);
    await expectNoFailedRequest('fleet machine stop and start', traffic, 100);
  }, 90_000);

  it('drops a machine that dies under load, logs nobody out, and takes it back once restarted', async () => {
    const loops = await startSessionTraffic(fleet.url, { label: 'fleet-death', ...TRAFFIC });
    await sleep(1_000);
    const h1 = fleet.host('h1');
    const killedAt = Date.now();
    const killed = await h1.kill();
    const downAt = await fleet.balancer.waitFor('h1', 'DOWN');
    await sleep(2_000);
    const stats = await Promise.all(loops.map((loop) => loop.stop()));
    const failed = stats.reduce((sum, { failed: count }) => sum + count, 0);
    const failures = stats.flatMap(({ failureLog }) => failureLog);
    const figures = {
      killedProcesses: killed.length,
      balancerDownAfterMs: downAt - killedAt,
      failed,
      failures: failuresByCause(stats),
      lastFailureAfterMs:
        failures.length === 0 ? null : Math.max(...failures.map(({ failedAt }) => failedAt)) - killedAt,
      wrongSession: stats.reduce((sum, { wrongSession }) => sum + wrongSession, 0),
      ok: stats.reduce((sum, { ok }) => sum + ok, 0),
      okByHost: await okByHost(fleet, stats),
    };
    const restartedAt = Date.now();
    await h1.start();
    const upAt = await fleet.balancer.waitFor('h1', 'UP');
    console.log(JSON.stringify({ machineDeath: { ...figures, rejoinedAfterStartMs: upAt - restartedAt } }));
    // Only requests in flight on the dying machine fail: at most one per client loop.
    expect(failed).toBeLessThanOrEqual(TRAFFIC.newConnections + TRAFFIC.keepAlive);
    expect(failures.every(({ sentAt }) => sentAt <= killedAt + 250)).toBe(true);
    expect(figures.wrongSession).toBe(0);
    expect(killed.length).toBe(1 + HOST_WORKERS);

    // Every user is still logged in, and the restarted machine serves them again.
    await expectBothMachinesServeEveryone(fleet, 'fleet-death');
  }, 120_000);

  it("drops a machine whose link is cut under load, and takes it back with its processes and users' sessions", async () => {
    const h1 = fleet.host('h1');
    const pidsBefore = [h1.primary.child.pid, ...(await h1.workerPids())];
    const loops = await startSessionTraffic(fleet.url, { label: 'fleet-link', ...TRAFFIC });
    await sleep(1_000);
    const cutAt = Date.now();
    fleet.network.unplug('h1');
    const downAt = await fleet.balancer.waitFor('h1', 'DOWN');
    // Requests h1 had taken end with HAProxy's `timeout server` (8 s).
    await sleep(9_000);
    const stats = await Promise.all(loops.map((loop) => loop.stop()));
    const failureLog = stats.flatMap(({ failureLog: log }) => log);
    fleet.network.plug('h1');
    const pluggedAt = Date.now();
    const upAt = await fleet.balancer.waitFor('h1', 'UP', 30_000);
    const figures = {
      balancerDownAfterMs: downAt - cutAt,
      failed: failureLog.length,
      failures: failuresByCause(stats),
      lastFailureSentAfterMs: Math.max(0, ...failureLog.map(({ sentAt }) => sentAt - cutAt)),
      lastFailureAfterMs: Math.max(0, ...failureLog.map(({ failedAt }) => failedAt - cutAt)),
      wrongSession: stats.reduce((sum, { wrongSession }) => sum + wrongSession, 0),
      ok: stats.reduce((sum, { ok }) => sum + ok, 0),
      balancerUpAfterPlugMs: upAt - pluggedAt,
    };
    console.log(JSON.stringify({ linkCut: figures }));
    // Only requests h1 took before the balancer saw it down failed; nobody was logged out.
    expect(failureLog.every(({ sentAt }) => sentAt <= downAt)).toBe(true);
    expect(figures.wrongSession).toBe(0);
    expect([h1.primary.child.pid, ...(await h1.workerPids())]).toEqual(pidsBefore);
    await expectBothMachinesServeEveryone(fleet, 'fleet-link');
  }, 120_000);

  it('routes around a machine cut off from Redis, which answers 503 within the store timeout, never a stale session, and recovers by itself', async () => {
    const h1 = fleet.host('h1');
    const pidsBefore = [h1.primary.child.pid, ...(await h1.workerPids())];
    // A user whose session h1 has just read (and may hold a copy of), logged out elsewhere during the cut.
    const login = await freshRequest(`${fleet.url}/api/login`, { body: { user: 'fleet-cut-ada' } });
    const ada = login.sessionCookie as string;
    for (let read = 0; read < 4; read++) await freshRequest(`${h1.url}/api/whoami`, { cookie: ada });
    const loops = await startSessionTraffic(fleet.url, { label: 'fleet-cut', ...TRAFFIC });
    await sleep(1_000);

    const cutAt = Date.now();
    fleet.network.cutOff('h1', fleet.redisAddress);
    const healthDownAt = await waitFor(
      '/health of h1 to answer 503',
      async () =>
        (await freshRequest(`${h1.url}/health`, { timeoutMs: 3_000 })).status === 503
          ? Date.now()
          : undefined,
      10_000,
      100,
    );
    const balancerDownAt = await fleet.balancer.waitFor('h1', 'DOWN');
    const logout = await freshRequest(`${fleet.url}/api/logout`, {
      method: 'POST',
      cookie: ada,
      timeoutMs: 10_000,
    });
    const logoutMs = Date.now() - balancerDownAt;
    const direct: Array<{ status: number; ms: number; user?: unknown }> = [];
    for (const path of ['/api/whoami', '/api/visits', '/api/whoami']) {
      const sent = Date.now();
      const reply = await freshRequest(`${h1.url}${path}`, { cookie: ada, timeoutMs: 10_000 });
      direct.push({
        status: reply.status,
        ms: Date.now() - sent,
        user: (reply.json as { user?: unknown })?.user,
      });
    }
    const cutStats = await Promise.all(loops.map((loop) => loop.stop()));

    fleet.network.reconnect('h1');
    const reconnectedAt = Date.now();
    await waitFor(
      '/health of h1 to answer 200',
      async () => ((await freshRequest(`${h1.url}/health`)).status === 200 ? true : undefined),
      30_000,
      100,
    );
    const healthUpAt = Date.now();
    const balancerUpAt = await fleet.balancer.waitFor('h1', 'UP', 30_000);
    const figures = {
      healthDownAfterMs: healthDownAt - cutAt,
      balancerDownAfterMs: balancerDownAt - cutAt,
      failedThroughBalancer: cutStats.reduce((sum, { failed }) => sum + failed, 0),
      failures: failuresByCause(cutStats),
      lastFailureAfterMs: Math.max(
        0,
        ...cutStats.flatMap(({ failureLog }) => failureLog.map(({ failedAt }) => failedAt - cutAt)),
      ),
      logoutElsewhere: { status: logout.status, servedBy: hostOf(logout), ms: logoutMs },
      directToCutMachine: direct,
      healthUpAfterReconnectMs: healthUpAt - reconnectedAt,
      balancerUpAfterReconnectMs: balancerUpAt - reconnectedAt,
    };
    console.log(JSON.stringify({ cutOffFromRedis: figures }));

    expect(figures.healthDownAfterMs).toBeLessThan(3_000);
    expect(logout.status).toBe(200);
    expect(hostOf(logout)).toBe('h2');
    for (const answer of direct) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(CUT_OFF_ANSWER_MS);
    }
    // Through the balancer, only requests h1 took before it was seen down failed, and no session was wrong.
    expect(figures.lastFailureAfterMs).toBeLessThan(figures.balancerDownAfterMs + CUT_OFF_ANSWER_MS);
    expect(cutStats.reduce((sum, { wrongSession }) => sum + wrongSession, 0)).toBe(0);
    // Nothing crashed, and h1 serves again, with the logout seen.
    expect([h1.primary.child.pid, ...(await h1.workerPids())]).toEqual(pidsBefore);
    const whoami = await freshRequest(`${h1.url}/api/whoami`, { cookie: ada });
    expect({ status: whoami.status, user: (whoami.json as { user?: unknown }).user ?? null }).toEqual({
      status: 200,
      user: null,
    });
    await expectBothMachinesServeEveryone(fleet, 'fleet-cut');
  }, 120_000);
});
