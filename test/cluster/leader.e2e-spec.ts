/**
 * Issue 27, point 3: one leader, on real forked clusters (test/fixtures/leader). Its job is a
 * `@nestjs/schedule` `@Interval` under `@LeaderOnly()` that logs every tick with its pid and fencing
 * token: at most one leader at a time means the pids' spans of ticks never overlap.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BlackholeProxy } from '../support/blackhole-proxy.js';
import {
  type LeaderCluster,
  type Tick,
  TickLog,
  leaderSpans,
  startLeaderCluster,
} from '../support/leader-fleet.js';
import { waitFor } from '../support/processes.js';
import { deleteKeys, uniquePrefix } from '../support/redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spans of ticks never overlap, and fencing tokens rise from one leader to the next. */
function expectOneLeaderAtATime(ticks: readonly Tick[]): ReturnType<typeof leaderSpans> {
  const spans = leaderSpans(ticks);
  for (let i = 1; i < spans.length; i++) {
    const [before, after] = [spans[i - 1], spans[i]];
    expect({ pid: after.pid, startsAfterPreviousEnded: after.first > before.last }).toEqual({
      pid: after.pid,
      startsAfterPreviousEnded: true,
    });
    expect(Math.min(...after.tokens)).toBeGreaterThan(Math.max(...before.tokens));
  }
  return spans;
}

/** The pid ticking now (the only one in the last `windowMs`). */
async function tickingPid(log: TickLog, windowMs = 500): Promise<number> {
  return waitFor(
    'one pid ticking',
    () => {
      const pids = new Set(log.since(Date.now() - windowMs).map((tick) => tick.pid));
      return pids.size === 1 ? [...pids][0] : undefined;
    },
    10_000,
    50,
  );
}

describe('one leader on a machine (IPC)', () => {
  let log: TickLog;
  let cluster: LeaderCluster | undefined;
  beforeEach(() => {
    log = new TickLog();
  });
  afterEach(async () => {
    cluster?.killMachine();
    await cluster?.stop();
    log.remove();
  });

  it('elects one worker that every worker names, and replaces a killed leader at once', async () => {
    cluster = await startLeaderCluster(log, { FIXTURE_WORKERS: '3' });
    const leaderPid = await tickingPid(log);
    const answers = await waitFor(
      'an answer from each of 3 workers',
      async () => {
        const seen = new Map<number, Awaited<ReturnType<LeaderCluster['who']>>>();
        for (let i = 0; i < 30 && seen.size < 3; i++) {
          const reply = await cluster!.who();
          seen.set(reply.pid, reply);
        }
        return seen.size === 3 ? [...seen.values()] : undefined;
      },
      10_000,
      50,
    );
    expect(new Set(answers.map((reply) => JSON.stringify(reply.leader))).size).toBe(1);
    expect(answers[0]?.leader?.pid).toBe(leaderPid);
    expect(answers.filter((reply) => reply.isLeader).map((reply) => reply.pid)).toEqual([leaderPid]);

    const killedAt = Date.now();
    process.kill(leaderPid, 'SIGKILL');
    const next = await waitFor(
      'another worker ticking',
      () => log.since(killedAt).find((tick) => tick.pid !== leaderPid),
      10_000,
      10,
    );
    const takeoverMs = next.at - killedAt;
    console.log(JSON.stringify({ leaderKilled: { takeoverMs } }));
    expect(takeoverMs).toBeLessThan(2_000); // "within a second or two"
    expectOneLeaderAtATime(log.ticks());
    const who = await waitFor(
      'the new leader answering',
      async () => {
        const reply = await cluster!.who();
        return reply.pid === next.pid ? reply : undefined;
      },
      10_000,
      10,
    );
    expect(who).toMatchObject({ isLeader: true, leader: { pid: next.pid } });
  }, 60_000);

  it('hands leadership over during a rolling restart with never two leaders at once', async () => {
    cluster = await startLeaderCluster(log, { FIXTURE_WORKERS: '3' });
    const first = await tickingPid(log);
    const restartAt = Date.now();
    cluster.process.signal('SIGHUP');
    await waitFor(
      'the rolling restart done',
      () => (/Rolling restart done/.test(cluster!.process.output()) ? true : undefined),
      30_000,
      50,
    );
    const after = await tickingPid(log);
    expect(after).not.toBe(first);
    const spans = expectOneLeaderAtATime(log.ticks());
    const gaps = spans.slice(1).map((span, i) => span.first - spans[i].last);
    console.log(
      JSON.stringify({ rollingRestart: { leaders: spans.length, handoverGapsMs: gaps, restartAt } }),
    );
  }, 60_000);
});

describe('one leader for a fleet (Redis lease)', () => {
  let log: TickLog;
  const clusters: LeaderCluster[] = [];
  let proxy: BlackholeProxy | undefined;
  const key = uniquePrefix('leader');
  beforeEach(() => {
    log = new TickLog();
  });
  afterEach(async () => {
    for (const cluster of clusters.splice(0)) {
      cluster.killMachine();
      await cluster.stop();
    }
    await proxy?.close();
    await deleteKeys(`{${key}}*`);
    log.remove();
  });

  const machine = (url: string): Promise<LeaderCluster> =>
    startLeaderCluster(log, {
      FIXTURE_WORKERS: '2',
      FIXTURE_REDIS_URL: url,
      FIXTURE_LEADER_KEY: key,
      FIXTURE_LEASE_MS: '1500',
    });

  it('runs the job on one machine; when it dies, another leads once its lease ran out', async () => {
    clusters.push(await machine('redis://127.0.0.1:6379'), await machine('redis://127.0.0.1:6379'));
    const leaderPid = await tickingPid(log);
    await sleep(1_000);
    expect(new Set(log.ticks().map((tick) => tick.pid))).toEqual(new Set([leaderPid]));
    const who = await Promise.all(clusters.map((cluster) => cluster.who()));
    expect(who[0]?.leader).toEqual(who[1]?.leader); // the same leader named on both machines
    // Kill the machine whose worker leads.
    const ownerIndex = await (async () => {
      for (const [i, cluster] of clusters.entries()) {
        const pids = new Set<number>();
        for (let n = 0; n < 10; n++) pids.add((await cluster.who()).pid);
        if (pids.has(leaderPid)) return i;
      }
      return -1;
    })();
    expect(ownerIndex).toBeGreaterThanOrEqual(0);
    const diedAt = Date.now();
    clusters[ownerIndex].killMachine();
    const next = await waitFor(
      'the other machine ticking',
      () => log.since(diedAt).find((tick) => tick.pid !== leaderPid),
      15_000,
      10,
    );
    const takeoverMs = next.at - diedAt;
    console.log(JSON.stringify({ fleetMachineDied: { leaseMs: 1500, takeoverMs } }));
    expect(takeoverMs).toBeLessThan(1500 + 1500); // the lease, then at most one renewal round and a grant
    expectOneLeaderAtATime(log.ticks());
  }, 60_000);

  it('a machine cut off from Redis stops its job before another machine starts it', async () => {
    proxy = await BlackholeProxy.start(6379);
    clusters.push(await machine(proxy.url));
    const cutOffPid = await tickingPid(log);
    clusters.push(await machine('redis://127.0.0.1:6379'));
    await sleep(1_000);
    expect(new Set(log.ticks().map((tick) => tick.pid))).toEqual(new Set([cutOffPid]));
    const cutAt = Date.now();
    proxy.blackhole();
    const next = await waitFor(
      'the other machine ticking',
      () => log.since(cutAt).find((tick) => tick.pid !== cutOffPid),
      15_000,
      10,
    );
    await sleep(1_000);
    const spans = expectOneLeaderAtATime(log.ticks());
    const cutOff = spans.find((span) => span.pid === cutOffPid)!;
    console.log(
      JSON.stringify({
        fleetCutOff: {
          stoppedAfterCutMs: cutOff.last - cutAt,
          otherStartedAfterCutMs: next.at - cutAt,
          gapMs: next.at - cutOff.last,
        },
      }),
    );
    expect(cutOff.last).toBeLessThan(next.at);
    // The machine cut off is alive and stays quiet: it does not lead without the lease.
    expect(log.since(next.at).every((tick) => tick.pid === next.pid)).toBe(true);
  }, 60_000);
});
