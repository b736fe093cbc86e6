import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest, requestOnWorker } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import { OwnRedisServer, redisReachable } from '../support/redis.js';
import { recordReliability } from '../support/reliability-record.js';
import { expectWithin } from '../support/timing.js';

// Needs the redis-server binary (this test starts its own server, never the shared one).
const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('6. Redis outage and recovery, for the session store and the broadcast transport', () => {
  let server: OwnRedisServer;
  let demo: DemoCluster;
  beforeAll(async () => {
    server = await OwnRedisServer.start();
    demo = await startDemoCluster(2, {
      SESSION_STORE: 'redis',
      REDIS_URL: server.url,
      REDIS_NAMESPACE: 'outage',
    });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    await server?.dispose();
  });

  async function inboxesHave(id: string): Promise<boolean> {
    for (const pid of await demo.workerPids()) {
      const inbox = await requestOnWorker(`${demo.url}/api/cluster/inbox`, { pid });
      if (!(inbox.json as { messages: Array<{ id: string }> }).messages.some((m) => m.id === id))
        return false;
    }
    return true;
  }

  it('answers 503 where Redis is needed, keeps other routes up, and comes back by itself with every session intact', async () => {
    const users = ['olga', 'piet', 'quin'];
    const cookies: string[] = [];
    for (const user of users)
      cookies.push((await freshRequest(`${demo.url}/api/login`, { body: { user } })).sessionCookie as string);
    const before = await freshRequest(`${demo.url}/api/cluster/broadcast`, { body: { message: 'before' } });
    expect(before.status).toBe(202);

    await server.pause();
    const paused = Date.now();
    const statuses = {
      session: [] as number[],
      ping: [] as number[],
      broadcast: [] as number[],
      login: [] as number[],
    };
    // Each request during the outage is timed on its own: "503 at once" is a bound on the slowest.
    let slowestMs = 0;
    const timed = async (send: () => Promise<{ status: number }>): Promise<number> => {
      const sent = Date.now();
      const { status } = await send();
      slowestMs = Math.max(slowestMs, Date.now() - sent);
      return status;
    };
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      statuses.session.push(
        await timed(() => freshRequest(`${demo.url}/api/whoami`, { cookie: cookies[i % 3] })),
      );
      statuses.ping.push(await timed(() => freshRequest(`${demo.url}/api/ping`)));
      statuses.broadcast.push(
        await timed(() => freshRequest(`${demo.url}/api/cluster/broadcast`, { body: { message: 'during' } })),
      );
      statuses.login.push(
        await timed(() => freshRequest(`${demo.url}/api/login`, { body: { user: 'late' } })),
      );
    }
    const outageRoundMs = (Date.now() - started) / 6;
    expect(new Set(statuses.session)).toEqual(new Set([503]));
    expect(new Set(statuses.ping)).toEqual(new Set([200]));
    expect(new Set(statuses.broadcast)).toEqual(new Set([503]));
    expect(new Set(statuses.login)).toEqual(new Set([503]));
    // "At once": no request waits for a reconnect or an operation timeout (2 s).
    expectWithin('slowest request during the outage', slowestMs, 0);

    await sleep(500);
    await server.resume();
    const recovered = Date.now();
    // Each worker has its own Redis client, reconnecting on its own schedule: recovered means
    // every worker answered a session read (fresh connections take turns over the workers).
    const workers = await demo.workerPids();
    const answering = new Set<string>();
    await waitFor(
      'the session store to answer again on every worker',
      async () => {
        const reply = await freshRequest(`${demo.url}/api/whoami`, { cookie: cookies[0] });
        if (reply.status === 200) answering.add(String(reply.headers['x-served-by']).split('/')[0]);
        return workers.every((pid) => answering.has(String(pid))) ? true : undefined;
      },
      15_000,
      50,
    );
    const recoveryMs = Date.now() - recovered;
    // Each client retries 50 ms, 100 ms, 200 ms… after the loss (capped at 2 s), so its next attempt
    // after Redis returns is due at most one outage length (+ the 50 ms first step) later; the
    // waitFor above polls every 50 ms, each poll on the next worker, so a worker's recovery is seen
    // within two polls.
    const outageMs = recovered - paused;
    expectWithin('recovery after Redis returned', recoveryMs, Math.min(outageMs + 50, 2_000) + 150);
    for (const [i, cookie] of cookies.entries()) {
      for (const pid of await demo.workerPids()) {
        const visit = await requestOnWorker(`${demo.url}/api/visits`, { pid }, { cookie });
        expect(visit.status).toBe(200);
      }
      expect((await freshRequest(`${demo.url}/api/whoami`, { cookie })).json).toEqual({ user: users[i] });
    }
    const after = await waitFor(
      'a broadcast to go through again',
      async () => {
        const reply = await freshRequest(`${demo.url}/api/cluster/broadcast`, { body: { message: 'after' } });
        return reply.status === 202 ? reply : undefined;
      },
      15_000,
      200,
    );
    const afterId = (after.json as { id: string }).id;
    await waitFor(
      'the broadcast on every worker after the outage',
      async () => ((await inboxesHave(afterId)) ? true : undefined),
      10_000,
      200,
    );

    await recordReliability({
      'redisOutage.sessionStatus': 503,
      'redisOutage.otherRoutesStatus': 200,
      'redisOutage.msPerFailedRound': Math.round(outageRoundMs),
      'redisOutage.recoveryMs': recoveryMs,
      'redisOutage.outageMs': outageMs,
      'redisOutage.slowestFailedRequestMs': slowestMs,
      'redisOutage.sessionsLost': 0,
    });
  }, 90_000);
});
