import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from '../support/http.js';
import { freePort, startNode, waitForHttp, type RunningProcess } from '../support/processes.js';

describe('demo contract (compiled demo, one process)', () => {
  let demo: RunningProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    demo = startNode('apps/demo/dist/main.js', { PORT: String(port), WORKERS: '0' });
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
