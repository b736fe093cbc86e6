import { type Observable } from 'rxjs';
import { type ClusterError } from '../cluster.errors.js';
import {
  type BroadcastOptions,
  type ClusterMessage,
  type ClusterSelf,
  type ClusterTopicMessage,
  type RequestOptions,
  type SendOptions,
  type WorkerInfo,
  type WorkersSnapshot,
} from '../cluster.interfaces.js';
import { type BroadcastTransportStatus } from '../transport/broadcast-transport.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type ClusterRequestHandlerFn } from './handler-registry.js';
import { type TopicLike } from './topic.js';

/**
 * The messaging API of one endpoint: `ClusterService` in a Nest app, or the primary runtime's own
 * endpoint for plain code in the primary (`getPrimaryRuntime().messaging`). Request diagnostics
 * (pending requests, timeouts, late replies) are per-process metrics of `@nest-hive/cluster/metrics`.
 */
export interface ClusterMessaging {
  /** Who this endpoint is. */
  readonly self: ClusterSelf;
  /** Every message (send, broadcast, request) of this module that reaches this endpoint. Completes on close. */
  readonly messages$: Observable<ClusterMessage>;
  /** Malformed envelopes and payloads that failed their topic's validator. Completes on close. */
  readonly errors$: Observable<ClusterError>;
  /** Lifecycle events of the cluster (forwarded by the primary to workers). Completes on close. */
  readonly events$: Observable<ClusterEvent>;
  /** The live worker table, replayed to late subscribers. Completes on close. */
  readonly workers$: Observable<readonly WorkerInfo[]>;
  /**
   * The health of this endpoint's broadcast transport: its current status at once, then each
   * change (`degraded` when its self-check finds broadcasts may be missed, `healthy` once they
   * flow again). The IPC carrier is always `healthy`. Completes on close.
   *
   * @example
   * ```ts
   * cluster.transportStatus$
   *   .pipe(filter(({ state }) => state === 'degraded'))
   *   .subscribe(({ reason }) => alerts.notify(`Broadcasts may be missed: ${reason}`));
   * ```
   */
  readonly transportStatus$: Observable<BroadcastTransportStatus>;

  /** Payloads of one topic, sent or broadcast to this endpoint (`unknown` for a plain name). */
  on<Payload = unknown>(topic: TopicLike<Payload>): Observable<Payload>;

  /** Like `on()`, with each message's context (sender, id, kind). */
  onMessage<Payload = unknown>(topic: TopicLike<Payload>): Observable<ClusterTopicMessage<Payload>>;

  /** One-way message to `options.to` (default `'primary'`). */
  send<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options?: SendOptions,
  ): Promise<void>;

  /** To every worker: from a worker through the primary to the others; from the primary to all. */
  broadcast<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options?: BroadcastOptions,
  ): Promise<void>;

  /** Request/reply, Promise form. */
  request<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Promise<Reply>;

  /** Request/reply, Observable form: cold, sends on subscribe, emits the reply once and completes. */
  request$<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Observable<Reply>;

  /** Registers the request handler of a topic; returns a function that removes it. */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void;

  /** The worker table with the primary's pid: local in the primary, asked of the primary in a worker. */
  workers(): Promise<WorkersSnapshot>;
}
