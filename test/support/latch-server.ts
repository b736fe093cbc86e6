import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Latches that a handler in any process reaches over HTTP: a handler that
 * `GET`s `url(name)` reports that it got there and waits, its response held,
 * until the test calls `release(name)`. Tests use it to interleave requests
 * exactly (A loads, B loads and saves, then A saves) instead of by timing.
 */
export class LatchServer {
  private readonly held = new Map<string, ServerResponse>();
  private readonly waiting = new Map<string, () => void>();
  private readonly arrivals = new Set<string>();

  private constructor(
    private readonly server: Server,
    private readonly base: string,
  ) {}

  /** Starts a latch server on 127.0.0.1. */
  static async start(): Promise<LatchServer> {
    const routes: { to?: LatchServer } = {};
    const server = createServer((req, res) =>
      routes.to?.arrive(decodeURIComponent((req.url ?? '/').slice(1)), res),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    routes.to = new LatchServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return routes.to;
  }

  /** The URL a handler fetches to stop at latch `name`. */
  url(name: string): string {
    return `${this.base}/${encodeURIComponent(name)}`;
  }

  /** Resolves once a handler has reached latch `name` (at once if it already has). */
  arrived(name: string, timeoutMs = 10_000): Promise<void> {
    if (this.arrivals.has(name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no handler reached latch ${name} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.set(name, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Lets the handler held at latch `name` go on. */
  release(name: string): void {
    const res = this.held.get(name);
    if (!res) throw new Error(`nothing is held at latch ${name}`);
    this.held.delete(name);
    res.end('go');
  }

  /** Releases whatever is still held and stops the server. */
  async close(): Promise<void> {
    for (const name of [...this.held.keys()]) this.release(name);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private arrive(name: string, res: ServerResponse): void {
    this.held.set(name, res);
    this.arrivals.add(name);
    this.waiting.get(name)?.();
    this.waiting.delete(name);
  }
}
