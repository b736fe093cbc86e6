import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest, type FreshReply } from '../support/fresh-http.js';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { startNode } from '../support/processes.js';
import { requestServedBy, servedBy } from '../support/worker-targeting.js';

/** One session as `GET /api/auth/sessions` lists it. */
interface ListedSession {
  handle: string;
  current: boolean;
  createdAt: number;
  lastSeenAt: number;
  userAgent: string;
}

const HANDLE = /^[A-Za-z0-9_-]{22}$/;

function isListedSession(value: unknown): value is ListedSession {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    Object.keys(row).sort().join() === 'createdAt,current,handle,lastSeenAt,userAgent' &&
    typeof row.handle === 'string' &&
    HANDLE.test(row.handle) &&
    typeof row.current === 'boolean' &&
    Number.isInteger(row.createdAt) &&
    Number.isInteger(row.lastSeenAt) &&
    typeof row.userAgent === 'string'
  );
}

/** The listed sessions of a 200 reply, checked. */
function sessionsOf(reply: FreshReply): ListedSession[] {
  expect(reply.status).toBe(200);
  const sessions = (reply.json as { sessions?: unknown } | undefined)?.sessions;
  if (!Array.isArray(sessions) || !sessions.every(isListedSession)) {
    throw new Error(`unexpected sessions reply: ${reply.body}`);
  }
  return sessions;
}

/** A logged-in client: its cookie and the `User-Agent` it logged in with. */
interface Device {
  user: string;
  agent: string;
  cookie: string;
}

/** The demo with `env`, 2 workers, and the helpers the user-session tests share. */
function demoWithDevices(adapter: string, env: Record<string, string> = {}) {
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter, ...env });
  }, 40_000);
  afterAll(() => demo.stop());

  const url = (path: string) => `${demo.url}${path}`;

  /** Logs `user` in with that `User-Agent` (a device), on whichever worker takes the connection. */
  async function login(user: string, agent: string): Promise<Device> {
    const reply = await freshRequest(url('/api/auth/login'), {
      body: { username: user, password: 'hive-demo' },
      headers: { 'user-agent': agent },
    });
    expect(reply.status).toBe(200);
    if (!reply.sessionCookie) throw new Error('the login set no cookie');
    // Logins a few ms apart, so their login times (and "oldest") are never a tie.
    await sleep(5);
    return { user, agent, cookie: reply.sessionCookie };
  }

  /** `GET /api/auth/sessions` as that device. */
  const list = (device: Device) =>
    freshRequest(url('/api/auth/sessions'), {
      cookie: device.cookie,
      headers: { 'user-agent': device.agent },
    });

  /** `DELETE /api/auth/sessions/:handle` as that device (the handle sent as it is: tests encode). */
  const revoke = (device: Device, handle: string) =>
    freshRequest(url(`/api/auth/sessions/${handle}`), { method: 'DELETE', cookie: device.cookie });

  /** `POST /api/auth/sessions/revoke-others` as that device. */
  const revokeOthers = (device: Device) =>
    freshRequest(url('/api/auth/sessions/revoke-others'), { method: 'POST', cookie: device.cookie });

  /** `GET /api/auth/me` with `cookie` served by each worker in turn: the statuses, in worker order. */
  async function meOnEveryWorker(cookie: string | undefined): Promise<number[]> {
    const pids = await demo.workerPids();
    expect(pids).toHaveLength(2);
    const statuses: number[] = [];
    for (const pid of pids) {
      // Several tries: each one a new connection, so the round robin hands it to either worker.
      const reply = await requestServedBy(url('/api/auth/me'), pid, { cookie });
      expect(servedBy(reply)).toBe(pid);
      statuses.push(reply.status);
    }
    return statuses;
  }

  return { demo: () => demo, url, login, list, revoke, revokeOthers, meOnEveryWorker };
}

describe.each(HTTP_ADAPTERS)("demo: a user's sessions on a 2-worker cluster (%s)", (adapter) => {
  const { demo, url, login, list, revoke, revokeOthers, meOnEveryWorker } = demoWithDevices(adapter);

  it('401 without a login: no cookie, an anonymous session, a forged cookie; nothing is set', async () => {
    const anonymous = (await freshRequest(url('/api/visits'))).sessionCookie;
    for (const cookie of [undefined, anonymous, 'sid=s%3Anot-a-session.sig']) {
      const listed = await freshRequest(url('/api/auth/sessions'), { cookie });
      expect(listed.status).toBe(401);
      expect(listed.headers['set-cookie']).toBeUndefined();
      const revoked = await freshRequest(url(`/api/auth/sessions/${'A'.repeat(22)}`), {
        method: 'DELETE',
        cookie,
      });
      expect(revoked.status).toBe(401);
      const others = await freshRequest(url('/api/auth/sessions/revoke-others'), { method: 'POST', cookie });
      expect(others.status).toBe(401);
    }
  });

  it('lists both devices of a user, with user agents and times, the current one marked, on every worker', async () => {
    const before = Date.now();
    const phone = await login('uma', 'Phone/1.0');
    const laptop = await login('uma', 'Laptop/2.0');
    const after = Date.now();

    for (const [device, current] of [
      [phone, 'Phone/1.0'],
      [laptop, 'Laptop/2.0'],
    ] as const) {
      // Asked of each worker: the list is the same whichever answers.
      for (const pid of await demo().workerPids()) {
        const reply = await requestServedBy(url('/api/auth/sessions'), pid, { cookie: device.cookie });
        const sessions = sessionsOf(reply);
        expect(sessions.map((s) => s.userAgent).sort()).toEqual(['Laptop/2.0', 'Phone/1.0']);
        expect(sessions.filter((s) => s.current).map((s) => s.userAgent)).toEqual([current]);
        for (const session of sessions) {
          expect(session.createdAt).toBeGreaterThanOrEqual(before);
          expect(session.createdAt).toBeLessThanOrEqual(after);
          expect(session.lastSeenAt).toBeGreaterThanOrEqual(session.createdAt);
        }
        expect(reply.headers['set-cookie']).toBeUndefined();
      }
    }
    // Most recently seen first: the laptop logged in last.
    expect(sessionsOf(await list(phone)).map((s) => s.userAgent)).toEqual(['Laptop/2.0', 'Phone/1.0']);
  });

  it('never shows a session id: handles are opaque, and no cookie value appears in the list', async () => {
    const first = await login('ivo', 'A');
    const second = await login('ivo', 'B');
    const reply = await list(first);
    const handles = sessionsOf(reply).map((s) => s.handle);
    expect(new Set(handles).size).toBe(2);
    for (const device of [first, second]) {
      const value = decodeURIComponent(device.cookie.slice('sid='.length));
      const id = value.replace(/^s:/, '').split('.')[0];
      expect(reply.body).not.toContain(id);
      expect(handles).not.toContain(id);
    }
  });

  it('DELETE /api/auth/sessions/:handle ends that device: 204, then 401 on every worker; the current one stays', async () => {
    const phone = await login('rosa', 'Phone');
    const laptop = await login('rosa', 'Laptop');
    expect(await meOnEveryWorker(laptop.cookie)).toEqual([200, 200]);
    const target = sessionsOf(await list(phone)).find((s) => s.userAgent === 'Laptop');
    if (!target) throw new Error('no laptop session listed');

    const reply = await revoke(phone, target.handle);
    expect(reply.status).toBe(204);
    expect(reply.body).toBe('');

    expect(await meOnEveryWorker(laptop.cookie)).toEqual([401, 401]);
    expect(await meOnEveryWorker(phone.cookie)).toEqual([200, 200]);
    expect(sessionsOf(await list(phone)).map((s) => [s.userAgent, s.current])).toEqual([['Phone', true]]);
    // Gone for good: the same handle again is unknown.
    expect((await revoke(phone, target.handle)).status).toBe(404);
    expect((await list(laptop)).status).toBe(401);
  });

  it.each([
    ['an unknown handle', 'AAAAAAAAAAAAAAAAAAAAAA'],
    ['a short one', 'abc'],
    ['a long one', 'A'.repeat(64)],
    ['an encoded slash', 'a%2F..%2F..'],
    ['spaces and quotes', '%20%22%27%3C'],
    ['a dot', '.'],
  ])('404 for %s, and the user’s sessions stay', async (_what, handle) => {
    const device = await login('nell', 'Desk');
    const reply = await revoke(device, handle);
    expect(reply.status).toBe(404);
    expect(await meOnEveryWorker(device.cookie)).toEqual([200, 200]);
  });

  it("a handle past 100 characters: 404 on Express, 414 on Fastify (its router's maxParamLength)", async () => {
    const device = await login('nell', 'Desk');
    const reply = await revoke(device, 'A'.repeat(300));
    expect(reply.status).toBe(adapter === 'fastify' ? 414 : 404);
    expect(await meOnEveryWorker(device.cookie)).toEqual([200, 200]);
  });

  it("one user can neither list nor revoke another's sessions (404, as for an unknown handle)", async () => {
    const ann = await login('ann_s', 'Ann-Phone');
    const bob = await login('bob_s', 'Bob-Phone');
    const annHandles = sessionsOf(await list(ann)).map((s) => s.handle);
    const bobSessions = sessionsOf(await list(bob));
    expect(bobSessions.map((s) => s.userAgent)).toEqual(['Bob-Phone']);
    expect(bobSessions.map((s) => s.handle)).not.toContain(annHandles[0]);

    const attempt = await revoke(bob, annHandles[0] ?? '');
    expect(attempt.status).toBe(404);
    expect(attempt.body).toBe((await revoke(bob, 'AAAAAAAAAAAAAAAAAAAAAA')).body);
    expect(await meOnEveryWorker(ann.cookie)).toEqual([200, 200]);
    expect((await revokeOthers(bob)).json).toEqual({ revoked: 0 });
    expect(await meOnEveryWorker(ann.cookie)).toEqual([200, 200]);
    expect(sessionsOf(await list(ann)).map((s) => s.handle)).toEqual(annHandles);
  });

  it('a handle used as a cookie (plain, signed-looking, URL-encoded) names no session', async () => {
    const device = await login('hana', 'Phone');
    const [session] = sessionsOf(await list(device));
    if (!session) throw new Error('no session listed');
    const handle = session.handle;
    const signature = 'A'.repeat(43);
    const forged = [
      `sid=${handle}`,
      `sid=s:${handle}`,
      `sid=s%3A${handle}`,
      `sid=${handle}.${signature}`,
      `sid=s%3A${handle}.${signature}`,
      `sid=${handle}.${handle}`,
    ];
    for (const cookie of forged) {
      expect(await meOnEveryWorker(cookie)).toEqual([401, 401]);
      expect((await freshRequest(url('/api/auth/sessions'), { cookie })).status).toBe(401);
    }
    expect(await meOnEveryWorker(device.cookie)).toEqual([200, 200]);
  });

  it('POST /api/auth/sessions/revoke-others ends every other device: { revoked: n }, only this one left', async () => {
    const devices = [];
    for (const agent of ['One', 'Two', 'Three', 'Four']) devices.push(await login('otto', agent));
    const [kept, ...others] = devices as [Device, ...Device[]];
    const bystander = await login('olga', 'Other-User');

    const reply = await revokeOthers(kept);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ revoked: 3 });

    for (const other of others) expect(await meOnEveryWorker(other.cookie)).toEqual([401, 401]);
    expect(await meOnEveryWorker(kept.cookie)).toEqual([200, 200]);
    expect(await meOnEveryWorker(bystander.cookie)).toEqual([200, 200]);
    expect(sessionsOf(await list(kept)).map((s) => [s.userAgent, s.current])).toEqual([['One', true]]);
    expect((await revokeOthers(kept)).json).toEqual({ revoked: 0 });
  });

  it('DELETE of the current handle logs this device out', async () => {
    const device = await login('cleo', 'Phone');
    const [session] = sessionsOf(await list(device));
    expect((await revoke(device, session?.handle ?? '')).status).toBe(204);
    expect(await meOnEveryWorker(device.cookie)).toEqual([401, 401]);
  });
});

describe.each(HTTP_ADAPTERS)('demo: MAX_SESSIONS_PER_USER=2 on a 2-worker cluster (%s)', (adapter) => {
  const { list, login, meOnEveryWorker } = demoWithDevices(adapter, { MAX_SESSIONS_PER_USER: '2' });

  it('a third login ends the oldest session, on every worker; other users keep theirs', async () => {
    const other = await login('zed', 'Other');
    const first = await login('cap', 'First');
    const second = await login('cap', 'Second');
    expect(await meOnEveryWorker(first.cookie)).toEqual([200, 200]);

    const third = await login('cap', 'Third');
    expect(await meOnEveryWorker(first.cookie)).toEqual([401, 401]);
    expect(await meOnEveryWorker(second.cookie)).toEqual([200, 200]);
    expect(await meOnEveryWorker(third.cookie)).toEqual([200, 200]);
    expect(sessionsOf(await list(third)).map((s) => s.userAgent)).toEqual(['Third', 'Second']);

    const fourth = await login('cap', 'Fourth');
    expect(await meOnEveryWorker(second.cookie)).toEqual([401, 401]);
    expect(sessionsOf(await list(fourth)).map((s) => [s.userAgent, s.current])).toEqual([
      ['Fourth', true],
      ['Third', false],
    ]);
    expect(await meOnEveryWorker(other.cookie)).toEqual([200, 200]);
  });
});

describe('demo: MAX_SESSIONS_PER_USER at start-up', () => {
  it.each(['0', '-2', 'two', '1.5'])(
    'refuses %j before forking any worker, naming the variable',
    async (cap) => {
      const demo = startNode('apps/demo/dist/main.js', {
        PORT: '0',
        WORKERS: '2',
        MAX_SESSIONS_PER_USER: cap,
      });
      try {
        expect(await demo.exited).toBe(1);
        expect(demo.output()).toContain(
          `MAX_SESSIONS_PER_USER must be a whole number of 1 or more (unset for no cap), got "${cap}".`,
        );
        expect(demo.output()).not.toContain('demo ready');
      } finally {
        await demo.stop();
      }
    },
  );
});
