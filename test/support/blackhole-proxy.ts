/**
 * A TCP proxy in front of one Redis that can turn into a black hole: every connection, open or
 * new, stays up but carries nothing either way, as when a machine's network path to Redis dies
 * without a reset. `restore()` lets new connections through again.
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';

/** A proxy to `127.0.0.1:<target>` on a free port. */
export class BlackholeProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((client) => this.accept(client));
  private holeOpen = false;

  private constructor(private readonly targetPort: number) {}

  /** Starts a proxy to the Redis on `targetPort`. */
  static async start(targetPort: number): Promise<BlackholeProxy> {
    const proxy = new BlackholeProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** From now on nothing passes, on open connections or new ones. */
  blackhole(): void {
    this.holeOpen = true;
    for (const socket of this.sockets) socket.pause();
  }

  /** Drops the connections held in the hole, and lets new ones through. */
  restore(): void {
    this.holeOpen = false;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Closes everything. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.holeOpen) {
      client.pause();
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.track(upstream);
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!this.holeOpen) to.write(chunk);
      });
      from.on('close', () => to.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
