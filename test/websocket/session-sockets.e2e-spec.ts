/**
 * Sockets follow their session (`SessionSockets`, bound by the demo gateway): when a session ends
 * (logout, revoked from another device through `UserSessions`), every socket opened with its
 * cookie is disconnected within a second, on every worker and on every machine; sockets of other
 * sessions stay. Real demo processes, real socket.io clients, real Redis for the two machines.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type DemoCluster, startDemoCluster } from '../support/demo-cluster.js';
import { request } from '../support/http.js';
import { waitFor } from '../support/processes.js';
import { deleteKeys, REDIS_URL, redisReachable } from '../support/redis.js';
import {
  type TestClient,
  closeClients,
  connectClients,
  lastOf,
  waitAllConnected,
} from '../support/socket-clients.js';

/** The demo's one password (apps/demo/src/auth/demo-user.ts). */
const DEMO_PASSWORD = 'hive-demo';
/** The most a socket may stay connected once its session ended. */
const DISCONNECT_DEADLINE_MS = 1_000;
const EVENTS = ['welcome', 'chat'];

interface Welcome {
  user: string | null;
  pid: number;
  workerId: number | null;
}
interface SessionsReply {
  sessions: Array<{ handle: string; current: boolean }>;
}

/** Logs `username` in with Passport (`passport.user`, which the index keys on); the session cookie. */
async function login(url: string, username: string): Promise<string> {
  const reply = await request(url, '/api/auth/login', {
    method: 'POST',
    body: { username, password: DEMO_PASSWORD },
    headers: { 'user-agent': `session-sockets-e2e/${username}` },
  });
  expect(reply.status).toBe(200);
  expect(reply.sessionCookie).toBeDefined();
  return reply.sessionCookie!;
}

/** Opens `count` websocket-only sockets carrying `cookie`, without reconnection; waits for each `welcome`. */
async function openSockets(url: string, cookie: string, count: number): Promise<TestClient[]> {
  const clients = connectClients(url, count, EVENTS, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie },
  });
  await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
  return clients;
}

const workerIdsOf = (clients: readonly TestClient[]): Set<number | null> =>
  new Set(clients.map((client) => lastOf<Welcome>(client, 'welcome')!.workerId));

/**
 * Runs `end` (the request that ends the session), then waits until every one of `clients` is
 * disconnected; resolves each socket's delay, from just before the request was sent.
 */
async function disconnectDelays(clients: readonly TestClient[], end: () => Promise<void>): Promise<number[]> {
  const started = Date.now();
  await end();
  await waitFor(
    'every socket of the ended session disconnected',
    () => (clients.every((client) => client.disconnects > 0) ? true : undefined),
    5_000,
    5,
  );
  for (const client of clients) expect(client.reasons).toEqual(['io server disconnect']);
  return clients.map((client) => client.firstDisconnectAt - started);
}

/** Proves `client` is still connected and served: its chat line comes back to it. */
async function stillServed(client: TestClient, text: string): Promise<void> {
  expect(client.socket.connected).toBe(true);
  expect(client.disconnects).toBe(0);
  client.socket.emit('chat', { text });
  await waitFor('the chat line back on the surviving socket', () =>
    (client.received.get('chat') ?? []).some((line) => (line as { text: string }).text === text)
      ? true
      : undefined,
  );
}

/** Whether the cookie still names a login. */
async function loggedIn(url: string, cookie: string): Promise<boolean> {
  const me = await request(url, '/api/auth/me', { cookie });
  expect([200, 401]).toContain(me.status);
  return me.status === 200;
}

const report = (scenario: string, delays: readonly number[]): void => {
  console.log(
    `${scenario}: ${delays.length} sockets, disconnect delays ms ${delays.join(', ')}, max ${Math.max(...delays)}`,
  );
};

describe('sockets follow their session (demo, 2 workers, sessions through the primary)', () => {
  let demo: DemoCluster;
  let clients: TestClient[] = [];
  beforeAll(async () => {
    demo = await startDemoCluster(2);
  }, 40_000);
  afterEach(() => {
    closeClients(clients);
    clients = [];
  });
  afterAll(() => demo?.stop());

  it('a logout disconnects every socket of that session, on both workers, within 1 s; another session’s socket stays', async () => {
    const x = await login(demo.url, 'xena');
    const other = await login(demo.url, 'olga');
    const xSockets = await openSockets(demo.url, x, 8);
    const [otherSocket] = await openSockets(demo.url, other, 1);
    clients = [...xSockets, otherSocket];
    expect(workerIdsOf(xSockets).size).toBe(2);

    const delays = await disconnectDelays(xSockets, async () => {
      expect((await request(demo.url, '/api/auth/logout', { method: 'POST', cookie: x })).status).toBe(200);
    });
    report('logout, 2 workers', delays);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DISCONNECT_DEADLINE_MS);
    expect(await loggedIn(demo.url, x)).toBe(false);
    await stillServed(otherSocket, 'olga is still here');
    expect(await loggedIn(demo.url, other)).toBe(true);
  }, 40_000);

  it('a session revoked from another device (DELETE /api/auth/sessions/:handle) loses its sockets on both workers within 1 s', async () => {
    const x = await login(demo.url, 'yann');
    const y = await login(demo.url, 'yann');
    const xSockets = await openSockets(demo.url, x, 8);
    const [ySocket] = await openSockets(demo.url, y, 1);
    clients = [...xSockets, ySocket];
    expect(workerIdsOf(xSockets).size).toBe(2);

    const listed = await request(demo.url, '/api/auth/sessions', { cookie: y });
    expect(listed.status).toBe(200);
    const sessions = (listed.json as SessionsReply).sessions;
    expect(sessions).toHaveLength(2);
    const target = sessions.find((session) => !session.current)!;
    const delays = await disconnectDelays(xSockets, async () => {
      const revoked = await request(demo.url, `/api/auth/sessions/${target.handle}`, {
        method: 'DELETE',
        cookie: y,
      });
      expect(revoked.status).toBe(204);
    });
    report('DELETE /api/auth/sessions/:handle, 2 workers', delays);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DISCONNECT_DEADLINE_MS);
    expect(await loggedIn(demo.url, x)).toBe(false);
    await stillServed(ySocket, 'the revoking device stays');
    expect(await loggedIn(demo.url, y)).toBe(true);
  }, 40_000);

  it('revoke-others ends every other session of the user and their sockets within 1 s, and leaves the caller’s', async () => {
    const [a, b, keeper] = [
      await login(demo.url, 'zoe'),
      await login(demo.url, 'zoe'),
      await login(demo.url, 'zoe'),
    ];
    const stranger = await login(demo.url, 'zack');
    const doomed = [...(await openSockets(demo.url, a, 4)), ...(await openSockets(demo.url, b, 4))];
    const [keeperSocket] = await openSockets(demo.url, keeper, 1);
    const [strangerSocket] = await openSockets(demo.url, stranger, 1);
    clients = [...doomed, keeperSocket, strangerSocket];
    expect(workerIdsOf(doomed).size).toBe(2);

    const delays = await disconnectDelays(doomed, async () => {
      const reply = await request(demo.url, '/api/auth/sessions/revoke-others', {
        method: 'POST',
        cookie: keeper,
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ revoked: 2 });
    });
    report('POST /api/auth/sessions/revoke-others, 2 workers', delays);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DISCONNECT_DEADLINE_MS);
    expect(await loggedIn(demo.url, a)).toBe(false);
    expect(await loggedIn(demo.url, b)).toBe(false);
    await stillServed(keeperSocket, 'keeper stays');
    await stillServed(strangerSocket, 'stranger stays');
    const left = await request(demo.url, '/api/auth/sessions', { cookie: keeper });
    expect((left.json as SessionsReply).sessions.map((session) => session.current)).toEqual([true]);
  }, 40_000);
});

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('sockets follow their session across machines (two demo clusters sharing one Redis)', () => {
  const namespace = `test-session-sockets-${randomBytes(4).toString('hex')}`;
  const env = { SESSION_STORE: 'redis', REDIS_URL, REDIS_NAMESPACE: namespace };
  let machineA: DemoCluster;
  let machineB: DemoCluster;
  let clients: TestClient[] = [];
  beforeAll(async () => {
    [machineA, machineB] = await Promise.all([startDemoCluster(2, env), startDemoCluster(2, env)]);
  }, 60_000);
  afterAll(async () => {
    closeClients(clients);
    await Promise.all([machineA?.stop(), machineB?.stop()]);
    await deleteKeys(`${namespace}*`);
  });

  it('a session revoked through machine A loses its sockets on machine B within 1 s; the revoker’s socket on B stays', async () => {
    expect(machineA.url).not.toBe(machineB.url);
    const x = await login(machineA.url, 'mara');
    const y = await login(machineA.url, 'mara');
    const xSockets = await openSockets(machineB.url, x, 6);
    const [ySocket] = await openSockets(machineB.url, y, 1);
    clients = [...xSockets, ySocket];
    const bPids = await machineB.workerPids();
    for (const client of xSockets) expect(bPids).toContain(lastOf<Welcome>(client, 'welcome')!.pid);

    const listed = await request(machineA.url, '/api/auth/sessions', { cookie: y });
    const target = (listed.json as SessionsReply).sessions.find((session) => !session.current)!;
    expect(target).toBeDefined();
    const delays = await disconnectDelays(xSockets, async () => {
      const revoked = await request(machineA.url, `/api/auth/sessions/${target.handle}`, {
        method: 'DELETE',
        cookie: y,
      });
      expect(revoked.status).toBe(204);
    });
    report('DELETE on machine A, sockets on machine B', delays);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DISCONNECT_DEADLINE_MS);
    expect(await loggedIn(machineB.url, x)).toBe(false);
    await stillServed(ySocket, 'still on machine B');
  }, 40_000);
});
