/**
 * socket.io on a 2-worker cluster with real socket.io-client: every transport mode connects all
 * clients (sticky engine.io sessions), and emits, rooms, fetchSockets and socketsJoin span both
 * workers (the socket.io cluster protocol over @nest-hive/cluster messaging).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ClientOptions,
  type TestClient,
  closeClients,
  connectClients,
  lastOf,
  sharedKeepAliveAgent,
  waitAllConnected,
} from '../support/socket-clients.js';
import { type SocketFixture, startSocketFixture } from '../support/socket-fixture.js';
import { startNode, waitFor } from '../support/processes.js';

const EVENTS = ['hello', 'everyone', 'room'];

interface Hello {
  pid: number;
  workerId: number;
  user: string | null;
}

describe('socket.io across 2 workers (ClusterIoAdapter, sticky: true)', () => {
  let fixture: SocketFixture;
  let clients: TestClient[] = [];
  let agent: Agent | undefined;
  beforeAll(async () => {
    fixture = await startSocketFixture();
  }, 40_000);
  afterEach(() => {
    closeClients(clients);
    clients = [];
    agent?.destroy();
    agent = undefined;
  });
  afterAll(() => fixture.stop());

  /**
   * Connects 20 clients, checks both workers hold some (unless `spread` is false), and that an emit
   * reaches all 20 and fetchSockets counts all 20 on the workers that greeted them.
   */
  async function twentyClientsOnBothWorkers(options: ClientOptions, spread = true): Promise<TestClient[]> {
    clients = connectClients(fixture.url, 20, EVENTS, options);
    await waitAllConnected(clients, 20_000, { name: 'hello', times: 1 });
    const workers = new Set(clients.map((client) => lastOf<Hello>(client, 'hello')?.workerId));
    if (spread) expect(workers.size).toBe(2);
    // Over a shared keep-alive pool, a connection's first request (a new session) stays with the worker Node's
    // round robin gave that connection, and the pool may carry every handshake on connections of one worker.
    const holding = [...workers].sort();
    const ack: unknown = await clients[0].socket.timeout(5_000).emitWithAck('everyone', 'hi all');
    expect(ack).toBe(true);
    await waitFor('the emit on every client', () =>
      clients.every((client) => (client.received.get('everyone')?.length ?? 0) === 1) ? true : undefined,
    );
    // Some more round trips on each session: each of its requests must find its worker.
    for (let round = 0; round < 3; round++) {
      const acks = await Promise.all(
        clients.map((client) => client.socket.timeout(5_000).emitWithAck('count', null)),
      );
      for (const reply of acks) expect(reply).toEqual({ total: 20, workers: holding });
    }
    expect(clients.flatMap((client) => client.reasons)).toEqual([]);
    return clients;
  }

  it('default transports (long-polling, then the upgrade): 20 of 20 connect and upgrade', async () => {
    await twentyClientsOnBothWorkers({});
    await waitFor('every client upgraded to websocket', () =>
      clients.every((client) => client.socket.io.engine.transport.name === 'websocket') ? true : undefined,
    );
  }, 40_000);

  it('long-polling only: 20 of 20, a new connection per request', async () => {
    await twentyClientsOnBothWorkers({ transports: ['polling'] });
    expect(clients.every((client) => client.socket.io.engine.transport.name === 'polling')).toBe(true);
  }, 40_000);

  it('long-polling only over one keep-alive pool shared by all clients (requests of many sessions per connection)', async () => {
    agent = sharedKeepAliveAgent();
    await twentyClientsOnBothWorkers({ transports: ['polling'], agent: agent as unknown as string }, false);
  }, 40_000);

  it('default transports over a shared keep-alive pool', async () => {
    agent = sharedKeepAliveAgent();
    await twentyClientsOnBothWorkers({ agent: agent as unknown as string }, false);
  }, 40_000);

  it('websocket only: 20 of 20', async () => {
    await twentyClientsOnBothWorkers({ transports: ['websocket'] });
  }, 40_000);

  it('rooms span the workers: to(room).emit, in(room).fetchSockets, socketsJoin', async () => {
    clients = connectClients(fixture.url, 20, EVENTS, { transports: ['websocket'] });
    await waitAllConnected(clients, 20_000, { name: 'hello', times: 1 });
    const red = clients.slice(0, 10);
    await Promise.all(red.map((client) => client.socket.timeout(5_000).emitWithAck('join', 'red')));
    const redWorkers = new Set(red.map((client) => lastOf<Hello>(client, 'hello')?.workerId));
    expect(redWorkers.size).toBe(2);
    // Sent from a socket outside the room, on either worker.
    await clients[15].socket.timeout(5_000).emitWithAck('to-room', { room: 'red', text: 'red only' });
    await waitFor('the room emit', () =>
      red.every((client) => (client.received.get('room')?.length ?? 0) === 1) ? true : undefined,
    );
    await sleep(200);
    expect(clients.slice(10).every((client) => !client.received.has('room'))).toBe(true);
    expect(await clients[19].socket.timeout(5_000).emitWithAck('count', 'red')).toEqual({
      total: 10,
      workers: [1, 2],
    });
    await clients[0].socket.timeout(5_000).emitWithAck('join-all', 'blue');
    await waitFor('socketsJoin on both workers', async () => {
      const reply = (await clients[12].socket.timeout(5_000).emitWithAck('count', 'blue')) as {
        total: number;
      };
      return reply.total === 20 ? true : undefined;
    });
  }, 40_000);
});

describe('misconfiguration', () => {
  it('a long-polling gateway without sticky: true fails at start-up, naming the fix', async () => {
    const child = startNode('dist-test/fixtures/socket/app.js', { PORT: '0', WORKERS: '1', STICKY: '0' });
    try {
      await waitFor(
        'the start-up failure',
        () => (/pass `sticky: true` to bootstrapCluster\(\)/.test(child.output()) ? true : undefined),
        15_000,
      );
    } finally {
      await child.stop();
    }
  }, 20_000);
});
