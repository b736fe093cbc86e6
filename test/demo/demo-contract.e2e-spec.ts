import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { freePort, startNode, waitForHttp, type RunningProcess } from '../support/processes.js';

describe.each(HTTP_ADAPTERS)('demo contract (compiled demo, one process) (%s)', (adapter) => {
  let demo: RunningProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = startNode('apps/demo/dist/main.js', { PORT: String(port), WORKERS: '0', HTTP_ADAPTER: adapter });
    await waitForHttp(`${url}/api/ping`);
  });
  afterAll(() => demo.stop());

  it('GET /api/ping answers { pid, workerId } and never sets a cookie', async () => {
    const reply = await request(url, '/api/ping');
    expect(reply.json).toEqual({ pid: demo.child.pid, workerId: null });
    expect(reply.setCookies).toEqual([]);
  });

  it('GET /api/whoami reads without writing', async () => {
    const reply = await request(url, '/api/whoami');
    expect(reply.json).toEqual({ user: null });
    expect(reply.setCookies).toEqual([]);
  });

  it('GET /api/visits counts in the session', async () => {
    const first = await request(url, '/api/visits');
    expect(first.json).toMatchObject({ visits: 1, pid: demo.child.pid });
    const second = await request(url, '/api/visits', { cookie: first.sessionCookie });
    expect(second.json).toMatchObject({ visits: 2 });
  });

  it('POST /api/login regenerates the session and stores the user; /api/logout destroys it', async () => {
    const before = await request(url, '/api/visits');
    const login = await request(url, '/api/login', {
      method: 'POST',
      body: { user: 'ann' },
      cookie: before.sessionCookie,
    });
    expect(login.status).toBe(200);
    expect(login.json).toEqual({ user: 'ann' });
    expect(login.sessionCookie).toBeDefined();
    expect(login.sessionCookie).not.toBe(before.sessionCookie);
    expect((await request(url, '/api/whoami', { cookie: login.sessionCookie })).json).toEqual({
      user: 'ann',
    });
    expect((await request(url, '/api/whoami', { cookie: before.sessionCookie })).json).toEqual({
      user: null,
    });

    const logout = await request(url, '/api/logout', { method: 'POST', cookie: login.sessionCookie });
    expect(logout.status).toBe(200);
    expect(logout.setCookies[0]).toMatch(/^sid=;.*Max-Age=0/);
    expect((await request(url, '/api/whoami', { cookie: login.sessionCookie })).json).toEqual({ user: null });
  });

  it('POST /api/login refuses a body without a user name', async () => {
    const reply = await request(url, '/api/login', { method: 'POST', body: { user: '' } });
    expect(reply.status).toBe(400);
    expect(reply.setCookies).toEqual([]);
  });

  describe('Passport routes', () => {
    const login = (body: unknown, cookie?: string) =>
      request(url, '/api/auth/login', { method: 'POST', body, cookie });

    it('POST /api/auth/login takes { username, password: "hive-demo" } and answers with a regenerated session', async () => {
      const before = await request(url, '/api/visits');
      const reply = await login({ username: 'ann_2-b', password: 'hive-demo' }, before.sessionCookie);
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ user: { username: 'ann_2-b' } });
      expect(reply.sessionCookie).toBeDefined();
      expect(reply.sessionCookie).not.toBe(before.sessionCookie);
      const me = await request(url, '/api/auth/me', { cookie: reply.sessionCookie });
      expect(me.status).toBe(200);
      expect(me.json).toEqual({ user: { username: 'ann_2-b' } });
      expect(me.setCookies).toEqual([]);
      expect((await request(url, '/api/auth/me', { cookie: before.sessionCookie })).status).toBe(401);
    });

    it.each([
      [{ username: 'ann', password: 'wrong' }],
      [{ username: 'Ann', password: 'hive-demo' }],
      [{ username: '1ann', password: 'hive-demo' }],
      [{ username: `a${'b'.repeat(32)}`, password: 'hive-demo' }],
      [{ username: 'ann' }],
      [{}],
      [{ username: ['ann'], password: 'hive-demo' }],
    ])('POST /api/auth/login refuses %j with 401, writing nothing and setting no cookie', async (body) => {
      const reply = await login(body);
      expect(reply.status).toBe(401);
      expect(reply.setCookies).toEqual([]);
    });

    it('POST /api/auth/login accepts a 32-character user name', async () => {
      const username = `a${'b'.repeat(31)}`;
      expect((await login({ username, password: 'hive-demo' })).json).toEqual({ user: { username } });
    });

    it('a failed login with a session leaves it as it was', async () => {
      const visit = await request(url, '/api/visits');
      const failed = await login({ username: 'ann', password: 'nope' }, visit.sessionCookie);
      expect(failed.status).toBe(401);
      expect(failed.setCookies).toEqual([]);
      const next = await request(url, '/api/visits', { cookie: visit.sessionCookie });
      expect(next.json).toMatchObject({ visits: 2 });
    });

    it('GET /api/auth/me answers 401 without a login, and never sets a cookie', async () => {
      const reply = await request(url, '/api/auth/me');
      expect(reply.status).toBe(401);
      expect(reply.setCookies).toEqual([]);
    });

    it('POST /api/auth/logout calls req.logout(): { ok: true }, and the login is over', async () => {
      const cookie = (await login({ username: 'bob', password: 'hive-demo' })).sessionCookie;
      const logout = await request(url, '/api/auth/logout', { method: 'POST', cookie });
      expect(logout.status).toBe(200);
      expect(logout.json).toEqual({ ok: true });
      expect(logout.setCookies[0]).toMatch(/^sid=;.*Max-Age=0/);
      expect((await request(url, '/api/auth/me', { cookie })).status).toBe(401);
      expect((await request(url, '/api/auth/logout', { method: 'POST' })).json).toEqual({ ok: true });
    });
  });

  it('GET /api/slow waits, capped at 10 s', async () => {
    const started = Date.now();
    const reply = await request(url, '/api/slow?ms=200');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(reply.json).toEqual({ pid: demo.child.pid });
  });

  it('warns at start-up that it invented a secret when SESSION_SECRET is missing', () => {
    expect(demo.output()).toContain('SESSION_SECRET is not set');
  });
});
