import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freshRequest } from '../support/fresh-http.js';
import { requestServedBy, servedBy } from '../support/worker-targeting.js';

describe.each(HTTP_ADAPTERS)('demo Passport login on a 2-worker cluster (%s)', (adapter) => {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter });
  }, 40_000);
  afterAll(() => demo.stop());

  const login = (username: string) =>
    freshRequest(`${demo.url}/api/auth/login`, { body: { username, password: 'hive-demo' } });

  /** `GET /api/auth/me` on each worker in turn: status and body per worker pid. */
  async function meOnEveryWorker(
    cookie: string | undefined,
  ): Promise<Array<{ pid: number; status: number; json: unknown }>> {
    const seen: Array<{ pid: number; status: number; json: unknown }> = [];
    for (const pid of await demo.workerPids()) {
      const reply = await requestServedBy(`${demo.url}/api/auth/me`, pid, { cookie });
      expect(reply.headers['set-cookie']).toBeUndefined();
      seen.push({ pid, status: reply.status, json: reply.json });
    }
    return seen;
  }

  it('a login through one worker is seen by every worker, and a logout through any ends it on all', async () => {
    const reply = await login('wanda');
    expect(reply.status).toBe(200);
    const cookie = reply.sessionCookie;
    expect(cookie).toBeDefined();
    const loggedIn = await meOnEveryWorker(cookie);
    expect(loggedIn).toHaveLength(2);
    expect(loggedIn.map((seen) => [seen.status, seen.json])).toEqual([
      [200, { user: { username: 'wanda' } }],
      [200, { user: { username: 'wanda' } }],
    ]);

    const logout = await freshRequest(`${demo.url}/api/auth/logout`, { method: 'POST', cookie });
    expect(logout.json).toEqual({ ok: true });
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^sid=;.*Max-Age=0/);
    expect((await meOnEveryWorker(cookie)).map((seen) => seen.status)).toEqual([401, 401]);
  });

  it('20 concurrent logins over both workers each get their own user', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const replies = await Promise.all(users.map(login));
    expect(new Set(replies.map(servedBy)).size).toBe(2);
    const cookies = replies.map((reply) => reply.sessionCookie);
    expect(new Set(cookies).size).toBe(users.length);
    const mes = await Promise.all(
      cookies.map((cookie) => freshRequest(`${demo.url}/api/auth/me`, { cookie })),
    );
    expect(mes.map((me) => me.json)).toEqual(users.map((username) => ({ user: { username } })));
  });
});
