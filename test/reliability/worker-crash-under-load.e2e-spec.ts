import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { LoadLoop } from '../support/load-loop.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';

const LOOPS = 4;
const KILLS = 5;

describe('1. a worker killed (SIGKILL) every second under load', () => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 40_000);
  afterAll(() => demo.stop());

  it('fails only requests in flight on the killed worker, replaces it within 2 s, and loses no session', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `crash-user-${i}`);
    const cookies: string[] = [];
    for (const user of users) {
      const login = await freshRequest(`${demo.url}/api/login`, { body: { user } });
      cookies.push(login.sessionCookie as string);
    }
    const loop = new LoadLoop({
      url: demo.url,
      concurrency: LOOPS,
      keepAlive: false,
      maxDurationMs: 15_000,
      requestTimeoutMs: 3_000,
      next: (l, n) => {
        const i = (l + n) % users.length;
        return n % 3 === 2
          ? { path: '/api/ping' }
          : { path: '/api/whoami', cookie: cookies[i], expectUser: users[i] };
      },
    }).start();

    const replacementMs: number[] = [];
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
      // The replacement is back when the primary marks the slot's next worker ready (by its own
      // clock, so a poll held up by a dropped connection does not count).
      const readyAt = await waitFor(
        `a replacement for ${victim.pid}`,
        async () => {
          const table = await demo.workers().catch(() => []);
          const next = table.find((w) => w.slot === victim.slot && w.id > victim.id && w.readyAt !== null);
          return next?.readyAt ?? undefined;
        },
        10_000,
        50,
      );
      replacementMs.push(readyAt - lastKill);
    }
    const stats = await loop.stop();

    for (const [i, cookie] of cookies.entries()) {
      const who = await freshRequest(`${demo.url}/api/whoami`, { cookie });
      expect(who.json).toEqual({ user: users[i] });
    }
    await recordReliability({
      'crash.kills': KILLS,
      'crash.requests': stats.ok + stats.failed,
      'crash.failed': stats.failed,
      'crash.maxReplacementMs': Math.max(...replacementMs),
      'crash.failureCauses': JSON.stringify(stats.failures),
      'crash.sessionsLost': 0,
    });
    expect(stats.ok).toBeGreaterThan(100);
    expect(stats.wrongSession).toBe(0);
    // Each loop has at most one request in flight, so a kill can fail at most one request per loop.
    expect(stats.failed).toBeLessThanOrEqual(KILLS * LOOPS);
    expect(Object.keys(stats.failures).every((cause) => !cause.startsWith('HTTP 5'))).toBe(true);
    expect(replacementMs).toHaveLength(KILLS);
    expect(Math.max(...replacementMs)).toBeLessThan(2_000);
  }, 60_000);
});
