/**
 * The demo's socket.io gateway on 2 workers (its contract), and bad input against it: floods,
 * oversized payloads, malformed packets, junk session ids and junk handshakes crash nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DemoCluster, startDemoCluster } from '../support/demo-cluster.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { request } from '../support/http.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import {
  type TestClient,
  closeClients,
  connectClient,
  connectClients,
  lastOf,
  waitAllConnected,
} from '../support/socket-clients.js';

interface Welcome {
  user: string | null;
  pid: number;
  workerId: number | null;
}
interface Chat extends Welcome {
  text: string;
}

const EVENTS = ['welcome', 'chat', 'error'];

describe.each(HTTP_ADAPTERS)('demo gateway (2 workers, %s)', (adapter) => {
  let demo: DemoCluster;
  let pids: number[];
  let clients: TestClient[] = [];
  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter });
    pids = (await demo.workerPids()).sort();
  }, 40_000);
  afterEach(async () => {
    closeClients(clients);
    clients = [];
    // No test may have crashed a worker.
    expect((await demo.workerPids()).sort()).toEqual(pids);
  });
  afterAll(() => demo.stop());

  const chats = (client: TestClient): Chat[] => (client.received.get('chat') ?? []) as Chat[];

  it('welcome names the session user (from POST /api/login) and the worker; chat reaches every socket on every worker', async () => {
    const login = await request(demo.url, '/api/login', { method: 'POST', body: { user: 'ann' } });
    const cookie = login.sessionCookie!;
    clients = [
      ...connectClients(demo.url, 10, EVENTS, { extraHeaders: { cookie } }),
      ...connectClients(demo.url, 10, EVENTS),
    ];
    await waitAllConnected(clients, 20_000, { name: 'welcome', times: 1 });
    for (const [index, client] of clients.entries()) {
      const welcome = lastOf<Welcome>(client, 'welcome')!;
      expect(welcome.user).toBe(index < 10 ? 'ann' : null);
      expect(pids).toContain(welcome.pid);
      expect(typeof welcome.workerId).toBe('number');
    }
    const sender = clients[0];
    const senderWelcome = lastOf<Welcome>(sender, 'welcome')!;
    sender.socket.emit('chat', { text: 'hello everyone' });
    await waitFor('the chat on all 20 sockets', () =>
      clients.every((c) => chats(c).length === 1) ? true : undefined,
    );
    for (const client of clients) {
      expect(chats(client)[0]).toEqual({
        text: 'hello everyone',
        user: 'ann',
        pid: senderWelcome.pid,
        workerId: senderWelcome.workerId,
      });
    }
    const sockets = await request(demo.url, '/api/chat/sockets');
    const table = sockets.json as { workers: Array<{ pid: number; sockets: number }>; total: number };
    expect(table.total).toBe(20);
    expect(table.workers.map((worker) => worker.pid).sort()).toEqual(pids);
  }, 40_000);

  it('a chat text over 500 characters (or not a string) gets an error event and is sent to nobody', async () => {
    clients = connectClients(demo.url, 4, EVENTS);
    await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
    const sender = clients[0];
    sender.socket.emit('chat', { text: 'x'.repeat(501) });
    sender.socket.emit('chat', { text: 42 });
    sender.socket.emit('chat', 'plain');
    await waitFor('three errors', () =>
      (sender.received.get('error')?.length ?? 0) === 3 ? true : undefined,
    );
    sender.socket.emit('chat', { text: 'y'.repeat(500) });
    await waitFor('the 500-character line', () =>
      clients.every((c) => chats(c).length === 1) ? true : undefined,
    );
  }, 30_000);

  it('a flood from one socket is rate-limited and does not stall the others', async () => {
    clients = connectClients(demo.url, 4, EVENTS, { transports: ['websocket'] });
    await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
    const [flooder, talker, ...listeners] = clients as [TestClient, TestClient, ...TestClient[]];
    const floodMs = 3_000;
    const sent = { count: 0 };
    const until = Date.now() + floodMs;
    const flood = (async () => {
      while (Date.now() < until) {
        for (let i = 0; i < 200; i++) flooder.socket.emit('chat', { text: `flood ${sent.count++}` });
        await sleep(5);
      }
    })();
    const latencies: number[] = [];
    for (let i = 0; Date.now() < until; i++) {
      const text = `talk ${i}`;
      const start = Date.now();
      talker.socket.emit('chat', { text });
      await waitFor(
        'the talker line',
        () => (listeners.every((c) => chats(c).some((m) => m.text === text)) ? true : undefined),
        5_000,
        5,
      );
      latencies.push(Date.now() - start);
      await sleep(100);
    }
    await flood;
    await sleep(500);
    const relayed = chats(listeners[0]).filter((m) => m.text.startsWith('flood')).length;
    // 20 per second with a bucket of 20: at most 20 + 20 × 3 s (+ slack for the last second).
    expect(relayed).toBeLessThanOrEqual(20 + 20 * (floodMs / 1_000 + 1));
    expect(relayed).toBeGreaterThan(0);
    expect(sent.count).toBeGreaterThan(1_000);
    expect(flooder.received.get('error')?.length ?? 0).toBeGreaterThan(0);
    const worst = Math.max(...latencies);
    expect(worst).toBeLessThan(1_500);
    await recordReliability(
      figuresOn(adapter, {
        'sockets.flood.sent': sent.count,
        'sockets.flood.relayed': relayed,
        'sockets.flood.otherClientWorstLatencyMs': worst,
      }),
    );
  }, 40_000);

  it('an oversized message (over maxHttpBufferSize, 16 KiB) closes only its connection', async () => {
    clients = connectClients(demo.url, 3, EVENTS);
    await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
    await waitFor('upgraded', () =>
      clients.every((c) => c.socket.io.engine.transport.name === 'websocket') ? true : undefined,
    );
    const big = clients[0];
    big.socket.io.reconnection(false);
    big.socket.emit('chat', { text: 'z'.repeat(20_000) });
    await waitFor('the big sender disconnected', () => (big.disconnects === 1 ? true : undefined));
    // Over long-polling the body is refused the same way.
    const polling = connectClient(demo.url, EVENTS, { transports: ['polling'], reconnection: false });
    clients.push(polling);
    await waitAllConnected([polling], 15_000, { name: 'welcome', times: 1 });
    polling.socket.emit('chat', { text: 'z'.repeat(20_000) });
    await waitFor('the polling sender disconnected', () => (polling.disconnects === 1 ? true : undefined));
    clients[1].socket.emit('chat', { text: 'still here' });
    await waitFor('the others still chat', () =>
      chats(clients[2]).some((m) => m.text === 'still here') ? true : undefined,
    );
  }, 30_000);

  it('malformed packets, junk session ids and raw garbage crash nothing', async () => {
    const victim = connectClient(demo.url, EVENTS, { reconnection: false });
    const observer = connectClient(demo.url, EVENTS);
    clients = [victim, observer];
    await waitAllConnected(clients, 15_000, { name: 'welcome', times: 1 });
    // Frames socket.io cannot parse, over the live transport.
    victim.socket.io.engine.write('{not a socket.io packet');
    await waitFor('the malformed sender disconnected', () => (victim.disconnects === 1 ? true : undefined));
    // Requests with junk session ids: unknown on this worker, naming another worker, naming none.
    const sids = ['x', '1.nope', '2.nope', '99999.nope', '9'.repeat(40), '.', '1.', '%00', 'a'.repeat(5000)];
    for (const sid of sids) {
      const get = await fetch(
        `${demo.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`,
      );
      expect(get.status).toBe(400);
      await get.text();
      const post = await fetch(
        `${demo.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`,
        {
          method: 'POST',
          body: '\u0000\u00ffjunk',
        },
      );
      expect([400, 413]).toContain(post.status);
      await post.text();
    }
    // A real session, junk payloads.
    const handshake = await (await fetch(`${demo.url}/socket.io/?EIO=4&transport=polling`)).text();
    const sid = (JSON.parse(handshake.slice(1)) as { sid: string }).sid;
    for (const body of ['4', '42["chat"', '4\u0000\u0000', '9999', 'junk', '42[{"__proto__":1}]']) {
      const reply = await fetch(`${demo.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
        method: 'POST',
        body,
      });
      await reply.text();
    }
    // A handshake with a junk cookie, and raw garbage on the port.
    const junkCookie = await fetch(`${demo.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { cookie: 'sid=s%3A%E0%A4%A;;;=' },
    });
    expect(junkCookie.status).toBe(200);
    await junkCookie.text();
    const port = Number(new URL(demo.url).port);
    for (const garbage of [
      '\u0000\u0001\u0002GET /socket.io/',
      'GET /socket.io/?sid=1.x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n',
      'PUT /socket.io/?EIO=4&transport=websocket&sid=2.x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n',
    ]) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(garbage));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(3_000, () => socket.destroy());
        socket.resume();
      });
    }
    observer.socket.emit('chat', { text: 'after the garbage' });
    await waitFor('the observer still chats', () =>
      chats(observer).some((m) => m.text === 'after the garbage') ? true : undefined,
    );
    expect(observer.disconnects).toBe(0);
  }, 40_000);
});
