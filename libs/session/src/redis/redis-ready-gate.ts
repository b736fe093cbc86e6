import { once } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import { RedisUnavailableError } from './redis-session.errors.js';

/**
 * Lets calls through once a connection is ready: at once when it is, failing at once while it is
 * known to be down (so a request never waits for a reconnect), and otherwise with one shared wait
 * for `ready`.
 */
export class RedisReadyGate {
  /** `false` once the connection failed, until it is ready again. */
  private reachable = true;
  /** One wait for `ready` shared by every call made while the client connects. */
  private readyWait: Promise<void> | undefined;

  constructor(private readonly client: Redis | Cluster) {
    client.on('ready', () => (this.reachable = true));
    client.on('error', () => (this.reachable = false));
    client.on('close', () => (this.reachable = false));
  }

  /** Resolves once the connection is ready; rejects when it is down or `signal` aborts first. */
  async whenReady(signal: AbortSignal): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (status === 'end') throw new Error('The Redis client was closed.');
    if (!this.reachable) throw new RedisUnavailableError();
    if (status === 'wait') void this.client.connect().catch(() => undefined);
    this.readyWait ??= once(this.client, 'ready').then(
      () => (this.readyWait = undefined),
      () => (this.readyWait = undefined),
    );
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
    );
    await Promise.race([this.readyWait, aborted]);
  }
}
