import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Subject, type Observable } from 'rxjs';
import { TransportUnavailableError } from '../cluster.errors.js';
import {
  BroadcastTransport,
  type BroadcastPacket,
  type BroadcastTransportFactory,
} from '../transport/broadcast-transport.js';
import { isAddress } from '../wire/envelope.parse.js';
import type { RedisBroadcastTransportOptions } from './redis-broadcast-transport.options.js';

/** Default pub/sub channel. */
export const DEFAULT_BROADCAST_CHANNEL = 'nest-hive:broadcast';

/** Runtime guard for packets read from the channel: anything else is dropped. */
export function isBroadcastPacket(value: unknown): value is BroadcastPacket {
  if (typeof value !== 'object' || value === null) return false;
  const packet = value as Record<string, unknown>;
  return (
    typeof packet.id === 'string' &&
    typeof packet.topic === 'string' &&
    typeof packet.origin === 'string' &&
    typeof packet.includeSelf === 'boolean' &&
    'payload' in packet &&
    isAddress(packet.from)
  );
}

/**
 * Carries `broadcast()` over Redis pub/sub, so a broadcast from any process
 * reaches every worker of every machine subscribed to the same channel.
 * Everything else (send, request/reply, lifecycle) stays on IPC.
 *
 * Payloads travel as JSON. Messages on the channel that are not packets are
 * dropped (and logged, rate-limited). During a Redis outage `broadcast()`
 * rejects at once; the subscription comes back by itself when Redis does.
 */
export class RedisBroadcastTransport extends BroadcastTransport {
  /** @inheritdoc */
  readonly packets$: Observable<BroadcastPacket>;
  private readonly packets = new Subject<BroadcastPacket>();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly ownsPublisher: boolean;
  private readonly channel: string;
  private readonly subscribed: Promise<void>;
  private readonly logger = new Logger('RedisBroadcastTransport');
  private lastLog = 0;

  constructor(options: RedisBroadcastTransportOptions = {}) {
    super();
    if (options.client && options.url) {
      throw new TypeError('RedisBroadcastTransport takes either `client` or `url`, not both.');
    }
    this.channel = options.channel ?? DEFAULT_BROADCAST_CHANNEL;
    this.ownsPublisher = !options.client;
    // Both connections are made here, the one way: the publisher fails fast while Redis is down
    // (no offline queue), the subscriber queues its SUBSCRIBE until the connection is back.
    const connect = (enableOfflineQueue: boolean): Redis => {
      const settings = {
        enableOfflineQueue,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
      };
      return options.client
        ? options.client.duplicate(settings)
        : new Redis(options.url ?? 'redis://127.0.0.1:6379', settings);
    };
    this.publisher = options.client ?? connect(false);
    this.subscriber = connect(true);
    for (const client of this.ownsPublisher ? [this.publisher, this.subscriber] : [this.subscriber]) {
      client.on('error', (error: Error) =>
        this.rateLimited(`Redis connection problem: ${error.message}. Reconnecting.`),
      );
    }
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
    this.subscribed = this.subscriber.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => this.rateLimited(`Could not subscribe to ${this.channel}: ${String(error)}`),
    );
    this.packets$ = this.packets.asObservable();
  }

  /** Resolves once this transport's own subscription is in place (or failed and was logged). */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  /** @inheritdoc */
  override ready(): Promise<void> {
    return this.subscribed;
  }

  /** @inheritdoc */
  async publish(packet: BroadcastPacket): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify(packet));
    } catch (error) {
      throw new TransportUnavailableError(packet.topic, 'Redis', error);
    }
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    this.packets.complete();
    this.subscriber.disconnect();
    if (this.ownsPublisher && this.publisher.status !== 'end') {
      await this.publisher.quit().catch(() => this.publisher.disconnect());
    }
  }

  private receive(channel: string, text: string): void {
    if (channel !== this.channel) return;
    let packet: unknown;
    try {
      packet = JSON.parse(text);
    } catch {
      packet = undefined;
    }
    if (isBroadcastPacket(packet)) this.packets.next(packet);
    else this.rateLimited(`Dropped a message on ${this.channel} that is not a nest-hive broadcast.`);
  }

  private rateLimited(message: string): void {
    const now = Date.now();
    if (now - this.lastLog < 10_000) return;
    this.lastLog = now;
    this.logger.warn(message);
  }
}

/**
 * A `ClusterModule` transport factory: each endpoint gets its own
 * {@link RedisBroadcastTransport} on the same channel.
 *
 * @example
 * ```ts
 * import { redisBroadcastTransport } from '@nest-hive/cluster/redis';
 * ClusterModule.forRoot({ transport: redisBroadcastTransport({ url: process.env.REDIS_URL }) });
 * ```
 */
export function redisBroadcastTransport(
  options: RedisBroadcastTransportOptions = {},
): BroadcastTransportFactory {
  return () => new RedisBroadcastTransport(options);
}
