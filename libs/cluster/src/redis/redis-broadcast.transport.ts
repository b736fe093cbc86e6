import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type Cluster, type Redis } from 'ioredis';
import { Subject, type Observable } from 'rxjs';
import { TransportUnavailableError } from '../cluster.errors.js';
import {
  BroadcastTransport,
  type BroadcastPacket,
  type BroadcastTransportFactory,
  type BroadcastTransportStats,
  type BroadcastTransportStatus,
} from '../transport/broadcast-transport.js';
import { BroadcastWatchdog } from './broadcast-watchdog.js';
import {
  type RedisBroadcastTransportOptions,
  type ResolvedTransportSettings,
  resolveTransportSettings,
} from './redis-broadcast-transport.options.js';
import { createRedisConnection } from './redis-connection.js';
import { decodePacket, encodePacket } from './redis-packet.js';
import { RedisPublisher } from './redis-publisher.js';
import { SequenceTracker } from './sequence-tracker.js';

export { DEFAULT_BROADCAST_CHANNEL } from './redis-broadcast-transport.options.js';

/** Senders not heard from for this long are forgotten by the gap count. */
const FORGET_SENDER_AFTER_MS = 10 * 60_000;
/** Most senders the gap count remembers (processes on the channel); the one silent longest goes first. */
const MAX_SENDERS = 4_096;
/** Most skipped numbers per sender that may still arrive late; a bigger jump counts the rest at once. */
const MAX_WAITING = 1_024;

/**
 * Carries `broadcast()` over Redis pub/sub (one server, Sentinel or Cluster), so a broadcast from
 * any process reaches every worker of every machine subscribed to the same channel. Everything
 * else (send, request/reply, lifecycle) stays on IPC.
 *
 * Payloads travel as JSON, stamped with this transport's sender id and sequence number; messages
 * on the channel that are not packets are dropped (and logged, rate-limited). During a Redis
 * outage `broadcast()` rejects at once; the subscription comes back by itself when Redis does,
 * and a watchdog (see `watchdogTimeoutMs`) forces it back when it was lost without a word.
 * Delivery is at most once: what a subscriber misses is counted, not sent again.
 */
export class RedisBroadcastTransport extends BroadcastTransport {
  /** @inheritdoc */
  readonly packets$: Observable<BroadcastPacket>;
  /** @inheritdoc */
  override readonly status$: Observable<BroadcastTransportStatus>;
  private readonly packets = new Subject<BroadcastPacket>();
  private readonly settings: ResolvedTransportSettings;
  private readonly publisherClient: Redis | Cluster;
  private readonly publisher: RedisPublisher;
  private readonly subscriber: Redis | Cluster;
  private readonly ownsPublisher: boolean;
  private readonly senderId = randomUUID();
  private readonly pingChannel: string;
  private readonly tracker: SequenceTracker;
  private readonly watchdog: BroadcastWatchdog;
  private readonly logger = new Logger('RedisBroadcastTransport');
  private subscribed: Promise<void>;
  private isSubscribed = false;
  /** Since when a repair found the subscriber reconnecting (see `resubscribe()`). */
  private reconnectingSince: number | undefined;
  private closed = false;
  private seq = 0;
  private lastLog = 0;

  /**
   * @param options - where Redis is, the channel and the watchdog's timings.
   * @throws TypeError naming the fix when the options are invalid.
   */
  constructor(options: RedisBroadcastTransportOptions = {}) {
    super();
    this.settings = resolveTransportSettings(options);
    this.pingChannel = `${this.settings.channel}:ping:${this.senderId}`;
    this.ownsPublisher = !options.client;
    // The publisher fails fast while Redis is away (no offline queue); the subscriber queues its
    // SUBSCRIBE until Redis is back.
    this.publisherClient = options.client ?? createRedisConnection(options, { enableOfflineQueue: false });
    this.publisher = new RedisPublisher({
      client: this.publisherClient,
      timeoutMs: this.settings.timeoutMs,
      owned: this.ownsPublisher,
    });
    this.subscriber = createRedisConnection(options, { enableOfflineQueue: true });
    for (const client of this.ownsPublisher ? [this.publisherClient, this.subscriber] : [this.subscriber]) {
      client.on('error', (error: Error) =>
        this.rateLimited(`Redis connection problem: ${error.message}. Reconnecting.`),
      );
    }
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
    this.subscribed = this.subscribe();
    const { timeoutMs, intervalMs, channel } = this.settings;
    this.tracker = new SequenceTracker({
      lateMs: timeoutMs,
      forgetAfterMs: FORGET_SENDER_AFTER_MS,
      maxSenders: MAX_SENDERS,
      maxWaiting: MAX_WAITING,
    });
    this.watchdog = new BroadcastWatchdog({
      intervalMs,
      timeoutMs,
      ping: () => this.publisher.publish(this.pingChannel, () => 'ping'),
      resubscribe: () => this.resubscribe(),
      onTick: (now) => this.tracker.sweep(now),
      log: this.logger,
      subject: `Redis channel ${channel}`,
    });
    this.status$ = this.watchdog.status$;
    this.packets$ = this.packets.asObservable();
    this.watchdog.start();
  }

  /**
   * Resolves once this transport's own subscription is in place (or failed and was logged) and
   * its publisher is connected.
   */
  whenSubscribed(): Promise<void> {
    return this.ready();
  }

  /** @inheritdoc */
  override async ready(): Promise<void> {
    const publisher = this.publisherClient;
    await this.subscribed;
    if (publisher.status !== 'ready') await new Promise((resolve) => publisher.once('ready', resolve));
  }

  /** @inheritdoc */
  override stats(): BroadcastTransportStats {
    return {
      degraded: this.watchdog.degraded,
      resubscribes: this.watchdog.resubscribes,
      gaps: this.tracker.gaps,
    };
  }

  /** @inheritdoc */
  async publish(packet: BroadcastPacket): Promise<void> {
    try {
      await this.publisher.publish(this.settings.channel, () =>
        encodePacket(packet, { senderId: this.senderId, seq: ++this.seq }),
      );
    } catch (error) {
      throw new TransportUnavailableError(packet.topic, 'Redis', error);
    }
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    this.closed = true;
    this.watchdog.stop();
    this.packets.complete();
    this.subscriber.disconnect();
    if (!this.ownsPublisher) return;
    const publisher = this.publisherClient;
    if (publisher.status !== 'end') await publisher.quit().catch(() => undefined);
    // After QUIT, ioredis keeps a Sentinel client's failover-detector connections to the Sentinels
    // (reconnecting forever once they go); disconnect() closes them.
    if (!publisher.isCluster) publisher.disconnect();
  }

  private subscribe(): Promise<void> {
    return this.subscriber.subscribe(this.settings.channel, this.pingChannel).then(
      () => {
        this.isSubscribed = true;
      },
      (error: unknown) => {
        if (!this.closed)
          this.rateLimited(`Could not subscribe to ${this.settings.channel}: ${String(error)}`);
      },
    );
  }

  /**
   * Drops the subscriber's connection so it reconnects and resubscribes. A subscriber already
   * reconnecting is left to it for one watchdog timeout, then made to start over: an ioredis
   * Cluster whose ready check (or new subscriber connection) went to a frozen node waits for that
   * node for ever (seen in test/redis/redis-transport-cluster: stuck in \`connect\` until SIGCONT).
   */
  private resubscribe(): boolean {
    if (this.subscriber.status !== 'ready') {
      const now = Date.now();
      this.reconnectingSince ??= now;
      if (now - this.reconnectingSince < this.settings.timeoutMs) return false;
    }
    this.reconnectingSince = undefined;
    this.subscriber.disconnect(true);
    // ioredis resubscribes what it had subscribed; a SUBSCRIBE that never succeeded is sent again.
    if (!this.isSubscribed) this.subscribed = this.subscribe();
    return true;
  }

  private receive(channel: string, text: string): void {
    if (channel === this.pingChannel) {
      this.reconnectingSince = undefined;
      this.watchdog.echo();
      return;
    }
    if (channel !== this.settings.channel) return;
    const received = decodePacket(text);
    if (!received) {
      this.rateLimited(`Dropped a message on ${channel} that is not a nest-hive broadcast.`);
      return;
    }
    // A packet seen already (ioredis' Cluster subscriber, switching nodes, delivered a few twice
    // here) or given up on is dropped: each broadcast arrives at most once.
    if (received.stamp && !this.tracker.observe(received.stamp, Date.now())) return;
    this.packets.next(received.packet);
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
 * {@link RedisBroadcastTransport} on the same channel. The options are checked here, at once.
 *
 * @throws TypeError naming the fix when the options are invalid (e.g. two of `url`,
 * `sentinels`, `clusterNodes` and `client`).
 * @example
 * ```ts
 * import { redisBroadcastTransport } from '@nest-hive/cluster/redis';
 * ClusterModule.forRoot({ transport: redisBroadcastTransport({ url: process.env.REDIS_URL }) });
 * ClusterModule.forRoot({ transport: redisBroadcastTransport({ clusterNodes: ['10.0.0.1:7000'] }) });
 * ```
 */
export function redisBroadcastTransport(
  options: RedisBroadcastTransportOptions = {},
): BroadcastTransportFactory {
  resolveTransportSettings(options);
  return () => new RedisBroadcastTransport(options);
}
