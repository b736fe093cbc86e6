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
import { type ClusterEvent } from '../supervisor/cluster-event.js';
import { type ClusterRequestHandlerFn } from './handler-registry.js';
import { type ClusterTopic } from './topic.js';

/**
 * The messaging API of one endpoint: `ClusterService` in a Nest app, or the primary runtime's own
 * endpoint for plain code in the primary (`getPrimaryRuntime().messaging`).
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
  /** Requests sent from this endpoint that await an answer (diagnostics and tests). */
  readonly pendingRequestCount: number;
  /** Replies that arrived after their request had settled and were dropped (diagnostics). */
  readonly lateReplyCount: number;

  /** Payloads of one topic, sent or broadcast to this endpoint. */
  on<Payload, Reply>(topic: ClusterTopic<Payload, Reply>): Observable<Payload>;
  on(topic: string): Observable<unknown>;

  /** Like `on()`, with each message's context (sender, id, kind). */
  onMessage<Payload, Reply>(topic: ClusterTopic<Payload, Reply>): Observable<ClusterTopicMessage<Payload>>;
  onMessage(topic: string): Observable<ClusterTopicMessage<unknown>>;

  /** One-way message to `options.to` (default `'primary'`). */
  send<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: SendOptions,
  ): Promise<void>;
  send(topic: string, payload: unknown, options?: SendOptions): Promise<void>;

  /** To every worker: from a worker through the primary to the others; from the primary to all. */
  broadcast<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: BroadcastOptions,
  ): Promise<void>;
  broadcast(topic: string, payload: unknown, options?: BroadcastOptions): Promise<void>;

  /** Request/reply, Promise form. */
  request<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Promise<Reply>;
  request(topic: string, payload: unknown, options?: RequestOptions): Promise<unknown>;

  /** Request/reply, Observable form: cold, sends on subscribe, emits the reply once and completes. */
  request$<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    payload: NoInfer<Payload>,
    options?: RequestOptions,
  ): Observable<Reply>;
  request$(topic: string, payload: unknown, options?: RequestOptions): Observable<unknown>;

  /** Registers the request handler of a topic; returns a function that removes it. */
  handle<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void;
  handle(topic: string, handler: ClusterRequestHandlerFn<unknown, unknown>): () => void;

  /** The worker table with the primary's pid: local in the primary, asked of the primary in a worker. */
  workers(): Promise<WorkersSnapshot>;
}
