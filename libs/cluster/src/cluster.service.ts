import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Observable } from 'rxjs';
import { type ClusterError } from './cluster.errors.js';
import {
  type BroadcastOptions,
  type ClusterMessage,
  type ClusterSelf,
  type ClusterTopicMessage,
  type RequestOptions,
  type SendOptions,
  type WorkerInfo,
  type WorkersSnapshot,
} from './cluster.interfaces.js';
import { CLUSTER_ENDPOINT } from './cluster.providers.js';
import { type ClusterEndpoint } from './messaging/cluster-endpoint.js';
import { type ClusterMessaging } from './messaging/cluster-messaging.interface.js';
import { type ClusterRequestHandlerFn } from './messaging/handler-registry.js';
import { type TopicLike } from './messaging/topic.js';
import { processBroadcastHealth } from './process-state.js';
import { type BroadcastTransportStatus } from './transport/broadcast-transport.js';
import { type ClusterEvent } from './wire/cluster-event.js';

/** Longest wait for the broadcast transport while the app starts. */
const TRANSPORT_READY_TIMEOUT_MS = 5_000;

/**
 * The cluster, injectable: who am I (`self`), typed IPC as RxJS streams (`messages$`, `on()`),
 * `send`, `broadcast`, `request` / `request$` with timeouts, `handle`, the lifecycle `events$`
 * and the live `workers$` table. Works the same in a worker app, in the primary's Nest context,
 * and with `workers: 0` (local loopback). Its streams complete and its handlers are removed when
 * the app closes.
 *
 * @example
 * ```ts
 * @Controller('cluster')
 * class ClusterController {
 *   constructor(private readonly cluster: ClusterService) {}
 *
 *   @Get('workers')
 *   workers() { return this.cluster.workers(); }
 *
 *   @Post('broadcast')
 *   broadcast(@Body() body: { message: string }) {
 *     return this.cluster.broadcast(CHAT, body, { includeSelf: true });
 *   }
 * }
 * ```
 */
@Injectable()
export class ClusterService implements ClusterMessaging, OnApplicationBootstrap, OnApplicationShutdown {
  /** @inheritdoc */
  readonly self: ClusterSelf;
  /** @inheritdoc */
  readonly messages$: Observable<ClusterMessage>;
  /** @inheritdoc */
  readonly errors$: Observable<ClusterError>;
  /** @inheritdoc */
  readonly events$: Observable<ClusterEvent>;
  /** @inheritdoc */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /** @inheritdoc */
  readonly transportStatus$: Observable<BroadcastTransportStatus>;
  /** Stops counting this app's broadcast transport in the process' metrics. */
  private readonly untrackTransport: () => void;

  /** @param endpoint - this app's endpoint, built by `ClusterModule`. */
  constructor(@Inject(CLUSTER_ENDPOINT) private readonly endpoint: ClusterEndpoint) {
    this.self = endpoint.self;
    this.messages$ = endpoint.messages$;
    this.errors$ = endpoint.errors$;
    this.events$ = endpoint.events$;
    this.workers$ = endpoint.workers$;
    this.transportStatus$ = endpoint.transportStatus$;
    this.untrackTransport = processBroadcastHealth().track(endpoint);
  }

  /** @inheritdoc */
  on<Payload = unknown>(topic: TopicLike<Payload>): Observable<Payload> {
    return this.endpoint.on(topic);
  }

  /** @inheritdoc */
  onMessage<Payload = unknown>(topic: TopicLike<Payload>): Observable<ClusterTopicMessage<Payload>> {
    return this.endpoint.onMessage(topic);
  }

  /** @inheritdoc */
  send<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options?: SendOptions,
  ): Promise<void> {
    return this.endpoint.send(topic, payload, options);
  }

  /** @inheritdoc */
  broadcast<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options?: BroadcastOptions,
  ): Promise<void> {
    return this.endpoint.broadcast(topic, payload, options);
  }

  /** @inheritdoc */
  request<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Promise<Reply> {
    return this.endpoint.request(topic, payload, options);
  }

  /** @inheritdoc */
  request$<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Observable<Reply> {
    return this.endpoint.request$(topic, payload, options);
  }

  /** @inheritdoc */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void {
    return this.endpoint.handle(topic, handler);
  }

  /** @inheritdoc */
  workers(): Promise<WorkersSnapshot> {
    return this.endpoint.workers();
  }

  /**
   * Waits (at most 5 s) until the broadcast transport is ready, e.g. subscribed to Redis, so the
   * app is only up, and a worker only ready, once it receives broadcasts.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.endpoint.whenTransportReady(TRANSPORT_READY_TIMEOUT_MS);
  }

  /** Closes the endpoint after the HTTP server stopped, so in-flight requests can still use it. */
  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.close();
    this.untrackTransport();
  }
}
