/**
 * A TCP proxy in front of one Redis that can freeze its subscriber connections: they stay open
 * but carry nothing either way, as when a network path dies without a reset. Neither the client
 * nor the server notices; only a check end to end (the transport's watchdog) can.
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  subscriber: boolean;
  frozen: boolean;
}

/** A proxy to `127.0.0.1:<target>` on a free port. */
export class FreezingProxy {
  private readonly pairs = new Set<Pair>();
  private readonly server = createServer((client) => this.accept(client));
  /** Whether subscriber connections made from now on are frozen too (at their SUBSCRIBE). */
  private freezingNew = false;

  private constructor(private readonly targetPort: number) {}

  /** Starts a proxy to the Redis on `targetPort`. */
  static async start(targetPort: number): Promise<FreezingProxy> {
    const proxy = new FreezingProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The port the proxy listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Freezes every open connection that has sent a SUBSCRIBE; returns how many. With `keep`,
   * subscriber connections made later freeze too, until `thaw()`.
   */
  freezeSubscribers(options: { keep?: boolean } = {}): number {
    this.freezingNew = options.keep ?? false;
    let frozen = 0;
    for (const pair of this.pairs) {
      if (pair.subscriber && !pair.frozen) {
        pair.frozen = true;
        frozen++;
      }
    }
    return frozen;
  }

  /** New subscriber connections flow again (frozen ones stay frozen until their client drops them). */
  thaw(): void {
    this.freezingNew = false;
  }

  /** Open connections, and how many of them are frozen. */
  connections(): { open: number; frozen: number } {
    const pairs = [...this.pairs];
    return { open: pairs.length, frozen: pairs.filter((pair) => pair.frozen).length };
  }

  /** Closes every connection and the listener. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, subscriber: false, frozen: false };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      if (/subscribe/i.test(chunk.toString('latin1'))) {
        pair.subscriber = true;
        if (this.freezingNew) {
          pair.frozen = true;
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.frozen) client.write(chunk);
    });
    const close = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('close', close);
      socket.on('error', close);
    }
  }
}
