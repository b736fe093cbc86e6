import { type Server } from 'socket.io';

/** An engine.io connection, as far as the drain needs it. */
interface EngineConnection {
  readonly readyState: string;
  close(): void;
  once(event: 'close', listener: () => void): unknown;
}

function isEngineConnection(value: unknown): value is EngineConnection {
  if (typeof value !== 'object' || value === null) return false;
  const connection = value as Record<string, unknown>;
  return typeof connection.close === 'function' && typeof connection.once === 'function';
}

/**
 * The engine.io connections of a socket.io server, and their drain: on stop they are closed
 * spread over `spreadMs` (in random order), so clients reconnect a few at a time instead of all
 * at once. Clients see a transport close, which socket.io-client answers by reconnecting (with its
 * own randomized backoff) to a live worker.
 */
export class EngineConnections {
  private readonly open = new Set<EngineConnection>();

  /** @param server - the server whose engine to watch. */
  constructor(server: Server) {
    server.engine.on('connection', (connection: unknown) => {
      if (!isEngineConnection(connection)) return;
      this.open.add(connection);
      connection.once('close', () => this.open.delete(connection));
    });
  }

  /** Open connections. */
  get size(): number {
    return this.open.size;
  }

  /** Closes every connection, spread over `spreadMs`; resolves when all closed (at most `spreadMs` + 1 s). */
  async closeSpread(spreadMs: number): Promise<void> {
    const connections = [...this.open];
    if (connections.length === 0) return;
    const order = connections.map((connection) => ({ connection, key: Math.random() }));
    order.sort((a, b) => a.key - b.key);
    connections.splice(0, connections.length, ...order.map((entry) => entry.connection));
    const step = connections.length > 1 ? spreadMs / (connections.length - 1) : 0;
    const timers: NodeJS.Timeout[] = [];
    const closed = connections.map(
      (connection, index) =>
        new Promise<void>((resolve) => {
          if (connection.readyState === 'closed') return resolve();
          connection.once('close', () => resolve());
          timers.push(setTimeout(() => connection.close(), Math.round(index * step)));
        }),
    );
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => (deadline = setTimeout(resolve, spreadMs + 1_000))),
    ]);
    clearTimeout(deadline);
    for (const timer of timers) clearTimeout(timer);
  }
}
