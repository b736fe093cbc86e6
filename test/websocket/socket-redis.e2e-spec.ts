/**
 * Two independent demo clusters (2 workers each, as on two machines) sharing one Redis
 * (SESSION_STORE=redis, broadcasts over Redis pub/sub): socket.io emits, fetchSockets and the
 * session span both clusters, through ClusterIoAdapter over ClusterService.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DemoCluster, startDemoCluster } from '../support/demo-cluster.js';
import { request } from '../support/http.js';
import { waitFor } from '../support/processes.js';
import { deleteKeys, REDIS_URL, redisReachable } from '../support/redis.js';
import { closeClients, connectClients, lastOf, waitAllConnected } from '../support/socket-clients.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('socket.io across two clusters sharing Redis', () => {
  const namespace = `test-sockets-${randomBytes(4).toString('hex')}`;
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

  it('chat from one cluster reaches the sockets of both; fetchSockets counts all four workers; the session follows the user', async () => {
    const login = await request(a.url, '/api/login', { method: 'POST', body: { user: 'ann' } });
    const cookie = login.sessionCookie!;
    const onA = connectClients(a.url, 10, ['welcome', 'chat']);
    const onB = connectClients(b.url, 10, ['welcome', 'chat'], { extraHeaders: { cookie } });
    const all = [...onA, ...onB];
    try {
      await waitAllConnected(all, 20_000, { name: 'welcome', times: 1 });
      for (const client of onB) expect(lastOf<{ user: string | null }>(client, 'welcome')?.user).toBe('ann');
      onB[0].socket.emit('chat', { text: 'from b' });
      await waitFor('the line on all 20 sockets', () =>
        all.every((client) => (client.received.get('chat')?.length ?? 0) === 1) ? true : undefined,
      );
      expect(lastOf<{ user: string | null }>(onA[0], 'chat')?.user).toBe('ann');
      const pids = [...(await a.workerPids()), ...(await b.workerPids())].sort();
      await waitFor('fetchSockets over both clusters', async () => {
        const table = (await request(a.url, '/api/chat/sockets')).json as {
          total: number;
          workers: Array<{ pid: number }>;
        };
        return table.total === 20 &&
          table.workers
            .map((w) => w.pid)
            .sort()
            .join() === pids.join()
          ? true
          : undefined;
      });
    } finally {
      closeClients(all);
    }
  }, 60_000);
});
