import {
  type Observable,
  ReplaySubject,
  Subject,
  Subscription,
  defer,
  filter,
  map,
  merge,
  mergeMap,
  takeUntil,
  throwError,
} from 'rxjs';
import { PRIMARY_ADDRESS, WORKERS_TOPIC } from '../cluster.constants.js';
import { ClusterClosedError, type ClusterError, PayloadValidationError } from '../cluster.errors.js';
import {
  type Address,
  type BroadcastOptions,
  type ClusterMessage,
  type ClusterSelf,
  type ClusterTopicMessage,
  type RequestOptions,
  type SendOptions,
  type WorkerInfo,
  type WorkersSnapshot,
} from '../cluster.interfaces.js';
import { type EndpointHost, type EndpointLink } from '../hub/endpoint-link.js';
import { type DataEnvelope, type MessageEnvelope, type RequestEnvelope } from '../wire/envelope.types.js';
import { type ClusterEvent, isWorkersSnapshot } from '../wire/cluster-event.js';
import {
  type BroadcastPacket,
  type BroadcastTransportStats,
  type BroadcastTransportStatus,
} from '../transport/broadcast-transport.js';
import { BroadcastRouter } from '../transport/broadcast-router.js';
import { type ClusterMessaging } from './cluster-messaging.interface.js';
import { type EndpointParams } from './endpoint-params.js';
import { type ClusterRequestHandlerFn, HandlerRegistry } from './handler-registry.js';
import { PendingRequests } from './pending-requests.js';
import { RequestClient } from './request-client.js';
import { RequestResponder } from './request-responder.js';
import { type TopicLike, defineTopic, topicName } from './topic.js';
import { TopicRegistry } from './topic-registry.js';

const WORKERS = defineTopic<null, WorkersSnapshot>(WORKERS_TOPIC, { validateReply: isWorkersSnapshot });

/**
 * One messaging endpoint: the implementation behind `ClusterService` and the primary runtime's
 * plain-code API. It checks what arrives once (`TopicRegistry`), keeps the pending-request table
 * and the request handlers, and sends through its hub link (broadcasts through its
 * `BroadcastRouter`). Every endpoint is built the one way: `new ClusterEndpoint(hub, params)`.
 */
export class ClusterEndpoint implements ClusterMessaging {
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

  private readonly link: EndpointLink;
  private readonly host: EndpointHost;
  private readonly router: BroadcastRouter;
  private readonly messagesSubject = new Subject<ClusterMessage>();
  private readonly errorsSubject = new Subject<ClusterError>();
  /** Replays its one value, so streams subscribed after close() complete at once. */
  private readonly closing = new ReplaySubject<void>(1);
  private readonly pending: PendingRequests;
  private readonly handlers = new HandlerRegistry();
  private readonly responder: RequestResponder;
  private readonly requests: RequestClient;
  private readonly topics: TopicRegistry;
  private readonly subscriptions = new Subscription();
  private readonly params: EndpointParams;
  private closed = false;

  /**
   * @param host - the hub of this process, where the endpoint attaches.
   * @param params - address, identity, transport and defaults.
   */
  constructor(host: EndpointHost, params: EndpointParams) {
    this.host = host;
    this.params = params;
    this.self = params.self;
    this.link = host.attach(params.address, (topic) => this.handlers.has(topic));
    this.pending = new PendingRequests(host.stats);
    const report = (error: PayloadValidationError): void => this.errorsSubject.next(error);
    this.topics = new TopicRegistry(report);
    this.requests = new RequestClient(this.link, params.requestTimeoutMs, report);
    this.router = new BroadcastRouter({
      sender: this.link,
      self: params.self,
      transport: params.transport,
      deliver: (packet) => this.receiveBroadcast(packet),
    });
    this.responder = new RequestResponder(this.link, this.handlers);
    this.messages$ = this.messagesSubject.asObservable();
    this.errors$ = merge(this.errorsSubject, host.errors$).pipe(takeUntil(this.closing));
    this.events$ = host.events$.pipe(takeUntil(this.closing));
    this.workers$ = host.workers$.pipe(takeUntil(this.closing));
    this.transportStatus$ = this.router.status$.pipe(takeUntil(this.closing));
    this.subscriptions.add(this.link.inbound$.subscribe((envelope) => this.receive(envelope)));
    this.subscriptions.add(host.gone$.subscribe(({ address }) => this.pending.failPeerGone(address)));
  }

  /**
   * Requests sent from this endpoint that await an answer. Internal (the library's own specs);
   * operators read the process' count as the `nest_hive_cluster_pending_requests` metric.
   */
  get pendingRequestCount(): number {
    return this.pending.size;
  }

  /** The broadcast transport's counters, summed into the process' metrics. */
  transportStats(): BroadcastTransportStats {
    return this.router.stats();
  }

  /** This endpoint's address (`'primary'` or its worker id). */
  get address(): Address {
    return this.link.address;
  }

  /**
   * Resolves once the broadcast transport is ready (see `BroadcastTransport.ready`), or after
   * `timeoutMs` with a warning: a transport that cannot get ready must not hold the app's start.
   */
  whenTransportReady(timeoutMs: number): Promise<void> {
    return this.router.whenReady(timeoutMs);
  }

  /** Hands the app's HTTP server to the runtime serving this endpoint, for graceful draining. */
  adoptHttpServer(server: unknown): void {
    this.params.onHttpServer?.(server);
  }

  /** @inheritdoc */
  on<Payload = unknown>(topic: TopicLike<Payload>): Observable<Payload> {
    const name = topicName(topic);
    const checked = this.topics.register(topic);
    return this.messages$.pipe(
      filter((message) => message.topic === name && message.kind !== 'request'),
      map((message) => message.payload),
      filter(checked),
    );
  }

  /** @inheritdoc */
  onMessage<Payload = unknown>(topic: TopicLike<Payload>): Observable<ClusterTopicMessage<Payload>> {
    const name = topicName(topic);
    const checked = this.topics.register(topic);
    return this.messages$.pipe(
      filter((message) => message.topic === name && message.kind !== 'request'),
      mergeMap(({ kind, topic: messageTopic, from, id, payload }) =>
        checked(payload) ? [{ payload, context: { kind, topic: messageTopic, from, id } }] : [],
      ),
    );
  }

  /** @inheritdoc */
  send<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options: SendOptions = {},
  ): Promise<void> {
    const name = topicName(topic);
    if (this.closed) return Promise.reject(new ClusterClosedError(name));
    const envelope = this.requests.message(name, payload, options.to ?? PRIMARY_ADDRESS);
    if (!envelope.receipt) return this.link.post(envelope);
    return this.pending.start(this.requests.receipted(envelope));
  }

  /** @inheritdoc */
  async broadcast<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options: BroadcastOptions = {},
  ): Promise<void> {
    const name = topicName(topic);
    if (this.closed) throw new ClusterClosedError(name);
    await this.router.publish(name, payload, options.includeSelf ?? false);
  }

  /** @inheritdoc */
  request<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options: RequestOptions = {},
  ): Promise<Reply> {
    const name = topicName(topic);
    if (this.closed) return Promise.reject(new ClusterClosedError(name));
    return this.pending.start(this.requests.request(topic, payload, options));
  }

  /** @inheritdoc */
  request$<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options: RequestOptions = {},
  ): Observable<Reply> {
    const name = topicName(topic);
    return defer(() =>
      this.closed
        ? throwError(() => new ClusterClosedError(name))
        : this.pending.track(this.requests.request(topic, payload, options)),
    );
  }

  /** @inheritdoc */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void {
    const name = topicName(topic);
    if (this.closed) throw new ClusterClosedError(name);
    const checked = this.topics.register(topic);
    // Requests reach the handler only after `receive()` checked them (so `checked` always passes).
    return this.handlers.register(name, (payload, context) =>
      checked(payload)
        ? handler(payload, context)
        : Promise.reject(new PayloadValidationError(name, context.from, 'payload')),
    );
  }

  /** @inheritdoc */
  async workers(): Promise<WorkersSnapshot> {
    const local = this.host.workersSnapshot();
    if (local) return local;
    return this.request(WORKERS, null, { to: PRIMARY_ADDRESS });
  }

  /**
   * Completes every stream, fails pending requests with `ClusterClosedError`, removes the
   * handlers and detaches from the hub. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    this.closing.complete();
    this.subscriptions.unsubscribe();
    this.pending.failWhere(
      () => true,
      (topic) => new ClusterClosedError(topic),
    );
    this.handlers.clear();
    this.messagesSubject.complete();
    this.errorsSubject.complete();
    this.link.detach();
    await this.router.close();
    await this.params.onClose?.();
  }

  private receive(envelope: DataEnvelope): void {
    switch (envelope.kind) {
      case 'reply':
      case 'error-reply':
        this.pending.settle(envelope); // a late reply is dropped there, and counted in the process' stats
        return;
      case 'message':
        if (this.topics.accepts(envelope.topic, envelope.payload, envelope.from))
          this.emit('message', envelope);
        return;
      case 'request':
        if (!this.topics.accepts(envelope.topic, envelope.payload, envelope.from)) {
          const error = new PayloadValidationError(envelope.topic, envelope.from, 'payload');
          this.responder.refuse(envelope, 'invalid-payload', error);
          return;
        }
        this.emit('request', envelope);
        void this.responder.respond(envelope);
        return;
      case 'broadcast':
        this.router.fromIpc(envelope);
        return;
    }
  }

  private receiveBroadcast({ topic, from, id, payload }: BroadcastPacket): void {
    if (this.topics.accepts(topic, payload, from))
      this.messagesSubject.next({ kind: 'broadcast', topic, from, id, payload });
  }

  private emit(kind: 'message' | 'request', envelope: MessageEnvelope | RequestEnvelope): void {
    this.messagesSubject.next({
      kind,
      topic: envelope.topic,
      from: envelope.from,
      id: envelope.id,
      payload: envelope.payload,
    });
  }
}
