import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { LoadLoop } from '../support/load-loop.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import { expectWithin, TIMING_TOLERANCE_MS } from '../support/timing.js';

const LOOPS = 4;
const KEEP_ALIVE_LOOPS = 4;
const KILLS = 5;
/** How long after a SIGKILL the primary may still hand a new connection to the dead worker (until it sees the exit). */
const HANDOVER_MS = TIMING_TOLERANCE_MS;
/** The demo's respawn backoff (`apps/demo/src/main.ts`): 50 ms, doubled per consecutive crash of a slot, at most 1 s. */
const respawnDelayMs = (consecutiveCrashes: number): number =>
  Math.min(1_000, 50 * 2 ** (consecutiveCrashes - 1));

describe('1. a worker killed (SIGKILL) every second under load', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 40_000);
  afterAll(() => demo.stop());

  it('fails only requests in flight on the killed worker (per worker, on kept-alive connections), forks its replacement after the backoff, has it ready as fast as a cold start, and loses no session', async () => {
    // The same run's cold start: how long the first workers took from fork to ready.
    const first = await demo.workers();
    const coldStartMs = Math.max(...first.map((w) => (w.readyAt ?? Number.NaN) - w.startedAt));
    expect(Number.isFinite(coldStartMs)).toBe(true);
    const users = Array.from({ length: 10 }, (_, i) => `crash-user-${i}`);
    const cookies: string[] = [];
    for (const user of users) {
      const login = await freshRequest(`${demo.url}/api/login`, { body: { user } });
      cookies.push(login.sessionCookie as string);
    }
    const next = (l: number, n: number) => {
      const i = (l + n) % users.length;
      return n % 3 === 2
        ? { path: '/api/ping' }
        : { path: '/api/whoami', cookie: cookies[i], expectUser: users[i] };
    };
    // New connections (spread by the round robin), back to back, and kept-alive ones (each pinned
    // to one worker, so a failure on one is known to be that worker's), paced so that they add
    // attribution rather than CPU load.
    const loop = new LoadLoop({
      url: demo.url,
      concurrency: LOOPS,
      keepAlive: false,
      maxDurationMs: 15_000,
      requestTimeoutMs: 3_000,
      next,
    }).start();
    const keptAlive = new LoadLoop({
      url: demo.url,
      concurrency: KEEP_ALIVE_LOOPS,
      keepAlive: true,
      maxDurationMs: 15_000,
      requestTimeoutMs: 3_000,
      pauseMs: 10,
      next,
    }).start();
    const kills: Array<{ pid: number; at: number }> = [];

    const replacementMs: number[] = [];
    const replacements: Array<{ slot: number; forkMs: number; startUpMs: number; backoffMs: number }> = [];
    const crashesOfSlot = new Map<number, number>();
    let lastKill = Date.now();
    for (let k = 0; k < KILLS; k++) {
      // One kill a second, each of one of the two ready workers (never the last one standing).
      await sleep(Math.max(0, lastKill + 1_000 - Date.now()));
      const ready = await waitFor(
        'two ready workers',
        async () => {
          const table = (await demo.workers().catch(() => [])).filter((w) => w.state === 'ready');
          return table.length === 2 ? table.sort((a, b) => a.slot - b.slot) : undefined;
        },
        10_000,
        20,
      );
      const victim = ready[k % 2];
      if (!victim) throw new Error('no worker to kill');
      lastKill = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      kills.push({ pid: victim.pid, at: lastKill });
      // The replacement is back when the primary marks the slot's next worker ready (by its own
      // clock, so a poll held up by a dropped connection does not count).
      const replacement = await waitFor(
        `a replacement for ${victim.pid}`,
        async () => {
          const table = await demo.workers().catch(() => []);
          return table.find((w) => w.slot === victim.slot && w.id > victim.id && w.readyAt !== null);
        },
        10_000,
        50,
      );
      const crashes = (crashesOfSlot.get(victim.slot) ?? 0) + 1;
      crashesOfSlot.set(victim.slot, crashes);
      replacementMs.push((replacement.readyAt ?? Number.NaN) - lastKill);
      replacements.push({
        slot: victim.slot,
        forkMs: replacement.startedAt - lastKill,
        startUpMs: (replacement.readyAt ?? Number.NaN) - replacement.startedAt,
        backoffMs: respawnDelayMs(crashes),
      });
    }
    const stats = await loop.stop();
    const pinned = await keptAlive.stop();
    const failures = [...stats.failureLog, ...pinned.failureLog];

    for (const [i, cookie] of cookies.entries()) {
      const who = await freshRequest(`${demo.url}/api/whoami`, { cookie });
      expect(who.json).toEqual({ user: users[i] });
    }
    // Per worker: a failure on a kept-alive connection is on the worker that served it, which must be
    // one that was killed, after its kill. Any failure, on any connection, was in flight across a kill.
    const killOf = new Map(kills.map((kill) => [kill.pid, kill.at]));
    const onOtherWorkers = failures.filter((f) => {
      if (f.workerPid === undefined) return false;
      const killedAt = killOf.get(f.workerPid);
      return killedAt === undefined || f.failedAt < killedAt;
    });
    const awayFromKills = failures.filter(
      (f) => !kills.some((kill) => f.sentAt <= kill.at + HANDOVER_MS && f.failedAt >= kill.at),
    );
    const attributed = failures.filter((f) => f.workerPid !== undefined).length;
    await recordReliability({
      'crash.kills': KILLS,
      'crash.requests': stats.sent + pinned.sent,
      'crash.failed': failures.length,
      'crash.failedOnKilledWorker': attributed,
      'crash.failedOnNewConnection': failures.length - attributed,
      'crash.failedOnOtherWorkers': onOtherWorkers.length,
      'crash.maxReplacementMs': Math.max(...replacementMs),
      'crash.maxForkAfterKillMs': Math.max(...replacements.map((r) => r.forkMs - r.backoffMs)),
      'crash.maxReplacementStartUpMs': Math.max(...replacements.map((r) => r.startUpMs)),
      'crash.coldStartMs': coldStartMs,
      'crash.failureCauses': JSON.stringify({ fresh: stats.failures, keptAlive: pinned.failures }),
      'crash.sessionsLost': 0,
    });
    expect(stats.ok).toBeGreaterThan(100);
    expect(pinned.ok).toBeGreaterThan(100);
    expect(stats.wrongSession + pinned.wrongSession).toBe(0);
    expect({ onOtherWorkers, kills }).toEqual({ onOtherWorkers: [], kills });
    expect({ awayFromKills, kills }).toEqual({ awayFromKills: [], kills });
    // Each loop has at most one request in flight, so a kill can fail at most one request per loop.
    expect(failures.length).toBeLessThanOrEqual(KILLS * (LOOPS + KEEP_ALIVE_LOOPS));
    expect(failures.every((f) => !f.cause.startsWith('HTTP 5'))).toBe(true);
    expect(replacementMs).toHaveLength(KILLS);
    for (const [k, r] of replacements.entries()) {
      // The supervisor forks the replacement once the slot's backoff is over, and no later.
      expectWithin(`kill ${k + 1} (slot ${r.slot}): fork after the kill`, r.forkMs, r.backoffMs);
      // The replacement starts as fast as the first workers did, with the load of this test on top.
      expectWithin(`kill ${k + 1} (slot ${r.slot}): fork to ready`, r.startUpMs, 2 * coldStartMs);
    }
  }, 60_000);
});
