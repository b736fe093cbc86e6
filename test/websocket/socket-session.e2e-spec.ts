/**
 * The @nest-hive/session session in a socket.io gateway (SessionService.fromHandshake) on a
 * 2-worker cluster: read from the handshake cookie with the HTTP checks, written with save(),
 * ended by a logout over HTTP at the socket's next event; forged, expired and junk cookies give
 * no session and crash nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from '../support/http.js';
import {
  type TestClient,
  closeClients,
  connectClient,
  lastOf,
  waitAllConnected,
} from '../support/socket-clients.js';
import { type SocketFixture, startSocketFixture } from '../support/socket-fixture.js';

interface Hello {
  user: string | null;
  workerId: number;
}

const ABSOLUTE_TIMEOUT_MS = 2_500;

describe('the session in a gateway (2 workers)', () => {
  let fixture: SocketFixture;
  let clients: TestClient[] = [];
  beforeAll(async () => {
    fixture = await startSocketFixture({ ABSOLUTE_TIMEOUT_MS: String(ABSOLUTE_TIMEOUT_MS) });
  }, 40_000);
  afterEach(() => {
    closeClients(clients);
    clients = [];
  });
  afterAll(() => fixture.stop());

  async function login(user: string): Promise<string> {
    const reply = await request(fixture.url, '/api/login', { method: 'POST', body: { user } });
    expect(reply.status).toBe(200);
    if (!reply.sessionCookie) throw new Error('no session cookie');
    return reply.sessionCookie;
  }

  /** Connects `count` clients with `cookie` (default transports), until each said hello. */
  async function connectWith(cookie: string | undefined, count = 4): Promise<TestClient[]> {
    const opened = Array.from({ length: count }, () =>
      connectClient(fixture.url, ['hello'], cookie ? { extraHeaders: { cookie } } : {}),
    );
    clients.push(...opened);
    await waitAllConnected(opened, 15_000, { name: 'hello', times: 1 });
    return opened;
  }

  const ask = (client: TestClient, event: string, data?: unknown): Promise<unknown> =>
    client.socket.timeout(5_000).emitWithAck(event, data);

  it('reads the user from the handshake cookie on every worker', async () => {
    const cookie = await login('ann');
    const sockets = await connectWith(cookie);
    expect(new Set(sockets.map((client) => lastOf<Hello>(client, 'hello')?.workerId)).size).toBe(2);
    for (const client of sockets) {
      expect(lastOf<Hello>(client, 'hello')?.user).toBe('ann');
      expect(await ask(client, 'whoami')).toEqual({ user: 'ann' });
    }
  }, 30_000);

  it('save() from a socket writes the session: the other sockets and new connections see it', async () => {
    const cookie = await login('bob');
    const [first, ...others] = await connectWith(cookie);
    expect(await ask(first, 'rename', 'bobby')).toEqual({ saved: true });
    for (const client of others) expect(await ask(client, 'whoami')).toEqual({ user: 'bobby' });
    const fresh = await connectWith(cookie, 1);
    expect(lastOf<Hello>(fresh[0], 'hello')?.user).toBe('bobby');
  }, 30_000);

  it('a logout over HTTP ends the session for the sockets at their next event', async () => {
    const cookie = await login('cid');
    const sockets = await connectWith(cookie);
    expect(await ask(sockets[0], 'whoami')).toEqual({ user: 'cid' });
    const logout = await request(fixture.url, '/api/logout', { method: 'POST', cookie });
    expect(logout.status).toBe(200);
    for (const client of sockets) expect(await ask(client, 'whoami')).toEqual({ user: null });
    // And a write from a socket cannot bring it back.
    expect(await ask(sockets[1], 'rename', 'zombie')).toEqual({ saved: false });
  }, 30_000);

  it('regenerate() is refused on a handshake session (HandshakeSessionError), the session stays', async () => {
    const cookie = await login('dee');
    const [client] = await connectWith(cookie, 1);
    expect(await ask(client, 'regenerate')).toEqual({ error: 'HandshakeSessionError' });
    expect(await ask(client, 'whoami')).toEqual({ user: 'dee' });
  }, 30_000);

  it('a forged cookie (valid id, bad signature) and junk cookies give no session and crash nothing', async () => {
    const cookie = await login('eve');
    const [name, value] = cookie.split('=') as [string, string];
    const forged = `${name}=${value.slice(0, -3)}${value.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const junk = [
      forged,
      `${name}=s%3A${'x'.repeat(5000)}`,
      `${name}=%E0%A4%A`,
      `${name}=s%3A.%2e`,
      '=;;;=;',
      `${name}=${'\u00ff'.repeat(20)}`,
    ];
    for (const bad of junk) {
      const sockets = await connectWith(bad, 2);
      for (const client of sockets) {
        expect(lastOf<Hello>(client, 'hello')?.user).toBeNull();
        expect(await ask(client, 'whoami')).toEqual({ user: null });
      }
    }
    const ping = await request(fixture.url, '/api/ping');
    expect(ping.status).toBe(200);
    expect(fixture.process.output()).not.toMatch(/exited unexpectedly/);
  }, 40_000);

  it('an expired session (absoluteTimeout) gives no session to the socket', async () => {
    const cookie = await login('fay');
    const [client] = await connectWith(cookie, 1);
    expect(await ask(client, 'whoami')).toEqual({ user: 'fay' });
    await sleep(ABSOLUTE_TIMEOUT_MS + 200);
    expect(await ask(client, 'whoami')).toEqual({ user: null });
    const late = await connectWith(cookie, 1);
    expect(lastOf<Hello>(late[0], 'hello')?.user).toBeNull();
  }, 30_000);
});
