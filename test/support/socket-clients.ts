import { Agent } from 'node:http';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { waitFor } from './processes.js';

/** A socket.io client with what it received. */
export interface TestClient {
  readonly socket: Socket;
  /** Payloads of every event received, by event name. */
  readonly received: Map<string, unknown[]>;
  /** How many times it disconnected. */
  disconnects: number;
  /** The disconnect reasons. */
  readonly reasons: string[];
  /** When it first disconnected (ms since epoch), or 0. */
  firstDisconnectAt: number;
  /** When it last disconnected (ms since epoch), or 0. */
  lastDisconnectAt: number;
}

/** Options for socket.io-client, with the events to record. */
export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** Connects one client that records `events` (and its disconnects). */
export function connectClient(
  url: string,
  events: readonly string[],
  options: ClientOptions = {},
): TestClient {
  const socket = io(url, { forceNew: true, reconnectionDelayMax: 2_000, ...options });
  const client: TestClient = {
    socket,
    received: new Map(),
    disconnects: 0,
    reasons: [],
    firstDisconnectAt: 0,
    lastDisconnectAt: 0,
  };
  for (const event of events) {
    socket.on(event, (payload: unknown) => {
      const list = client.received.get(event) ?? [];
      list.push(payload);
      client.received.set(event, list);
    });
  }
  socket.on('disconnect', (reason) => {
    client.disconnects += 1;
    client.reasons.push(reason);
    if (client.firstDisconnectAt === 0) client.firstDisconnectAt = Date.now();
    client.lastDisconnectAt = Date.now();
  });
  return client;
}

/** Connects `count` clients. */
export function connectClients(
  url: string,
  count: number,
  events: readonly string[],
  options: ClientOptions = {},
): TestClient[] {
  return Array.from({ length: count }, () => connectClient(url, events, options));
}

/** Waits until every client is connected (and, optionally, has received `event` `times` times). */
export async function waitAllConnected(
  clients: readonly TestClient[],
  timeoutMs = 15_000,
  event?: { name: string; times: number },
): Promise<void> {
  await waitFor(
    `${clients.length} connected clients`,
    () => {
      const connected = clients.filter((client) => client.socket.connected).length;
      if (connected !== clients.length) return undefined;
      if (event && clients.some((client) => (client.received.get(event.name)?.length ?? 0) < event.times)) {
        return undefined;
      }
      return true;
    },
    timeoutMs,
    20,
  );
}

/** Closes every client. */
export function closeClients(clients: readonly TestClient[]): void {
  for (const client of clients) client.socket.close();
}

/** The last payload of `event` a client received. */
export function lastOf<T>(client: TestClient, event: string): T | undefined {
  const list = client.received.get(event);
  return list?.[list.length - 1] as T | undefined;
}

/** A keep-alive agent shared by many clients (like a proxy's upstream pool): a connection carries requests of many sessions in turn. */
export function sharedKeepAliveAgent(): Agent {
  return new Agent({ keepAlive: true });
}
