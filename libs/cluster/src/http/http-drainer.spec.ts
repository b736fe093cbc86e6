import { Agent, createServer, request, type Server } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpDrainer } from './http-drainer.js';

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly socket: Socket;
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ port, path, agent, host: '127.0.0.1' }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket: req.socket! }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function closed(socket: Socket): Promise<number> {
  return new Promise((resolve) =>
    socket.destroyed ? resolve(Date.now()) : socket.once('close', () => resolve(Date.now())),
  );
}

describe('HttpDrainer', () => {
  let server: Server;
  let agent: Agent;
  let drainer: HttpDrainer;

  async function start(): Promise<number> {
    server = createServer((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: hello\n\n'); // and never ends
        return;
      }
      const delay = req.url === '/slow' ? 300 : 0;
      setTimeout(() => res.end('ok'), delay);
    });
    drainer = new HttpDrainer(server);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening on TCP');
    return address.port;
  }

  afterEach(async () => {
    agent.destroy();
    drainer.dispose();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  });

  it('answers the next request of a kept-alive connection with Connection: close, then closes it', async () => {
    const port = await start();
    const first = await get(port, '/', agent);
    expect(first.connection).toBe('keep-alive');
    drainer.drain(5_000);
    const second = await get(port, '/', agent);
    expect(second.socket).toBe(first.socket); // same connection, no reset
    expect(second.connection).toBe('close');
    await closed(second.socket);
  });

  it('closes a connection that stays idle past the grace, not before', async () => {
    const port = await start();
    const { socket } = await get(port, '/', agent);
    const idleFrom = Date.now();
    drainer.drain(150);
    expect(socket.destroyed).toBe(false);
    const closedAt = await closed(socket);
    expect(closedAt - idleFrom).toBeGreaterThanOrEqual(140);
  });

  it('closes at once a connection that was already idle longer than the grace', async () => {
    const port = await start();
    const { socket } = await get(port, '/', agent);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    drainer.drain(150);
    const closedAt = await closed(socket);
    expect(closedAt - started).toBeLessThan(50);
  });

  it('lets the in-flight request finish and holds server.close() until the connections end', async () => {
    const port = await start();
    const inFlight = get(port, '/slow', agent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    drainer.drain(0);
    const serverClosed = new Promise<number>((resolve) => server.close(() => resolve(Date.now())));
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.connection).toBe('close');
    const finishedAt = Date.now();
    expect(await serverClosed).toBeGreaterThanOrEqual(finishedAt - 5);
  });

  it('closes Server-Sent Events streams, which never end on their own, so server.close() can finish', async () => {
    const port = await start();
    const socket = await new Promise<Socket>((resolve, reject) => {
      const headers = { accept: 'text/event-stream' }; // what EventSource sends
      const req = request({ port, path: '/events', agent, host: '127.0.0.1', headers }, (res) => {
        res.once('data', () => resolve(req.socket!));
      });
      req.on('error', reject);
      req.end();
    });
    drainer.drain(5_000);
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    await closed(socket);
    await serverClosed;
  });
});
