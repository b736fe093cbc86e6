import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest, requestOnWorker } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import { deleteKeys, REDIS_URL, redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('two independent clusters sharing one Redis (SESSION_STORE=redis)', () => {
  const namespace = `test-demo-${randomBytes(4).toString('hex')}`;
  const env = { SESSION_STORE: 'redis', REDIS_URL, REDIS_NAMESPACE: namespace };
  let a: DemoCluster;
  let b: DemoCluster;
  beforeAll(async () => {
    [a, b] = await Promise.all([startDemoCluster(2, env), startDemoCluster(2, env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await deleteKeys(`${namespace}:*`);
  });

  async function inboxesContain(cluster: DemoCluster, id: string): Promise<boolean> {
    for (const pid of await cluster.workerPids()) {
      const inbox = await requestOnWorker(`${cluster.url}/api/cluster/inbox`, { pid });
      const messages = (inbox.json as { messages: Array<{ id: string }> }).messages;
      if (!messages.some((m) => m.id === id)) return false;
    }
    return true;
  }

  it('a broadcast from one cluster is received by the workers of both', async () => {
    const sent = await freshRequest(`${a.url}/api/cluster/broadcast`, {
      body: { message: 'across machines' },
    });
    expect(sent.status).toBe(202);
    const id = (sent.json as { id: string }).id;
    await waitFor(
      'the broadcast in all four inboxes',
      async () => ((await inboxesContain(a, id)) && (await inboxesContain(b, id)) ? true : undefined),
      5_000,
      100,
    );
  });

  it('a session written on one cluster is read on the other', async () => {
    const login = await freshRequest(`${a.url}/api/login`, { body: { user: 'eve' } });
    const who = await freshRequest(`${b.url}/api/whoami`, { cookie: login.sessionCookie });
    expect(who.json).toEqual({ user: 'eve' });
  });

  it('sessions survive a restart of a whole cluster', async () => {
    const login = await freshRequest(`${b.url}/api/login`, { body: { user: 'fay' } });
    await b.stop();
    b = await startDemoCluster(2, env);
    for (const pid of await b.workerPids()) {
      const visit = await requestOnWorker(`${b.url}/api/visits`, { pid }, { cookie: login.sessionCookie });
      expect(visit.status).toBe(200);
    }
    const who = await freshRequest(`${b.url}/api/whoami`, { cookie: login.sessionCookie });
    expect(who.json).toEqual({ user: 'fay' });
  }, 40_000);
});
