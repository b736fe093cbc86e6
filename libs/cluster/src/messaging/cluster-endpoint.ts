import { Logger } from '@nestjs/common';
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
import {
  ClusterClosedError,
  ClusterError,
  PayloadValidationError,
  TransportUnavailableError,
  PrimaryUnavailableError,
  WorkerExitedError,
} from '../cluster.errors.js';
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
import { type EndpointLink } from '../hub/endpoint-link.js';
import {
  type DataEnvelope,
  type MessageEnvelope,
  type RequestEnvelope,
  broadcastEnvelope,
  messageEnvelope,
  requestEnvelope,
} from '../wire/envelope.js';
import { type ClusterEvent, isWorkersSnapshot } from '../wire/cluster-event.js';
import { type BroadcastPacket, type BroadcastTransport } from '../transport/broadcast-transport.js';
import { IpcBroadcastTransport } from '../transport/ipc-broadcast.transport.js';
import { type ClusterMessaging } from './cluster-messaging.interface.js';
import { type ClusterRequestHandlerFn, HandlerRegistry } from './handler-registry.js';
import { type Answer, PendingRequests, type TrackedRequest } from './pending-requests.js';
import { errorOfFailure } from './remote-failure.js';
import { RequestResponder } from './request-responder.js';
import { type TopicLike, defineTopic, topicName, trustedAs } from './topic.js';

const WORKERS = defineTopic<null, WorkersSnapshot>(WORKERS_TOPIC, { validateReply: isWorkersSnapshot });

type Guard<T = unknown> = (value: unknown) => value is T;

/** How an endpoint is built. */
export interface ClusterEndpointOptions {
  /** Attaches to a hub, given the endpoint's "do I handle this topic" callback. */
  readonly attach: (handles: (topic: string) => boolean) => EndpointLink;
  /** Builds the broadcast transport. */
  readonly transport: (link: EndpointLink) => BroadcastTransport;
  /** Default request timeout in ms. */
  readonly requestTimeoutMs: number;
  /** Runs after the endpoint closed. */
  readonly onClose?: () => Promise<void> | void;
}

/**
 * One messaging endpoint: the implementation behind `ClusterService` and the primary runtime's
 * plain-code API. It validates what arrives, keeps the pending-request table and the request
 * handlers, and sends through its hub link (broadcasts through its transport).
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

  private readonly link: EndpointLink;
  private readonly transport: BroadcastTransport;
  private readonly logger = new Logger('ClusterService');
  /** Whether broadcasts also arrive over IPC besides the transport (any transport but IPC's own). */
  private readonly acceptsIpcBroadcasts: boolean;
  private readonly messagesSubject = new Subject<ClusterMessage>();
  private readonly errorsSubject = new Subject<ClusterError>();
  /** Replays its one value, so streams subscribed after close() complete at once. */
  private readonly closing = new ReplaySubject<void>(1);
  private readonly pending: PendingRequests;
  private readonly handlers = new HandlerRegistry();
  private readonly responder: RequestResponder;
  private readonly validators = new Map<string, (value: unknown) => boolean>();
  private readonly subscriptions = new Subscription();
  private readonly requestTimeoutMs: number;
  private lateReplies = 0;
  private readonly onClose: (() => Promise<void> | void) | undefined;
  private closed = false;

  /** @param options - hub attachment, transport and defaults. */
  constructor(options: ClusterEndpointOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.onClose = options.onClose;
    this.link = options.attach((topic) => this.handlers.has(topic));
    this.pending = new PendingRequests(this.link.stats);
    this.self = this.link.self;
    this.transport = options.transport(this.link);
    this.acceptsIpcBroadcasts = !(this.transport instanceof IpcBroadcastTransport);
    this.responder = new RequestResponder(this.link, this.handlers);
    this.messages$ = this.messagesSubject.asObservable();
    this.errors$ = merge(this.errorsSubject, this.link.errors$).pipe(takeUntil(this.closing));
    this.events$ = this.link.events$.pipe(takeUntil(this.closing));
    this.workers$ = this.link.workers$.pipe(takeUntil(this.closing));
    this.subscriptions.add(this.link.inbound$.subscribe((envelope) => this.receive(envelope)));
    this.subscriptions.add(this.transport.packets$.subscribe((packet) => this.receiveBroadcast(packet)));
    this.subscriptions.add(
      this.link.gone$.subscribe(({ address }) => {
        if (address === PRIMARY_ADDRESS) {
          this.pending.failWhere(
            () => true,
            () => new PrimaryUnavailableError(),
          );
        } else {
          this.pending.failWhere(
            (target) => target === address,
            (topic) => new WorkerExitedError(address, topic),
          );
        }
      }),
    );
  }

  /** @inheritdoc */
  get pendingRequestCount(): number {
    return this.pending.size;
  }

  /** Replies that arrived after their request had settled (timed out, failed) and were dropped. */
  get lateReplyCount(): number {
    return this.lateReplies;
  }

  /** This endpoint's address (`'primary'` or its worker id). */
  get address(): Address {
    return this.link.address;
  }

  /**
   * Resolves once the broadcast transport is ready (see `BroadcastTransport.ready`), or after
   * `timeoutMs` with a warning: a transport that cannot get ready must not hold the app's start.
   */
  async whenTransportReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([this.transport.ready().then(() => 'ready' as const), late]).finally(
      () => clearTimeout(timer),
    );
    if (outcome === 'late') {
      this.logger.warn(
        `The ${this.transport.constructor.name} broadcast transport was not ready within ${timeoutMs} ms; ` +
          'starting anyway, broadcasts may be missed until it is.',
      );
    }
  }

  /** Hands an HTTP server to the runtime for graceful draining (worker endpoints). */
  adoptHttpServer(server: unknown): void {
    this.link.adoptHttpServer(server);
  }

  /** @inheritdoc */
  on<Payload = unknown>(topic: TopicLike<Payload>): Observable<Payload> {
    const name = topicName(topic);
    const accept = this.registerValidator(topic);
    return this.messages$.pipe(
      filter((message) => message.topic === name && message.kind !== 'request'),
      map((message) => message.payload),
      filter(accept),
    );
  }

  /** @inheritdoc */
  onMessage<Payload = unknown>(topic: TopicLike<Payload>): Observable<ClusterTopicMessage<Payload>> {
    const name = topicName(topic);
    const accept = this.registerValidator(topic);
    return this.messages$.pipe(
      filter((message) => message.topic === name && message.kind !== 'request'),
      mergeMap(({ kind, topic: messageTopic, from, id, payload }) =>
        accept(payload) ? [{ payload, context: { kind, topic: messageTopic, from, id } }] : [],
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
    const to = options.to ?? PRIMARY_ADDRESS;
    const envelope = messageEnvelope(
      this.link.nextId(),
      name,
      this.link.address,
      to,
      payload,
      this.link.needsReceipt(to),
    );
    if (!envelope.receipt) return this.link.post(envelope);
    return this.pending.start({
      id: envelope.id,
      topic: name,
      target: to,
      timeoutMs: this.requestTimeoutMs,
      send: () => this.link.post(envelope),
      decode: (answer) => {
        if (answer.kind === 'error-reply') throw errorOfFailure(answer.payload, name, to, this.link.address);
        return undefined;
      },
    });
  }

  /** @inheritdoc */
  async broadcast<Payload = unknown>(
    topic: TopicLike<Payload>,
    payload: NoInfer<Payload>,
    options: BroadcastOptions = {},
  ): Promise<void> {
    const name = topicName(topic);
    if (this.closed) throw new ClusterClosedError(name);
    const id = this.link.nextId();
    try {
      await this.transport.publish({
        id,
        topic: name,
        payload,
        from: this.link.address,
        origin: this.link.origin,
        includeSelf: options.includeSelf ?? false,
      });
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw new TransportUnavailableError(name, this.transport.constructor.name, error);
    }
    // From the primary on another transport, the workers that broadcast over IPC get an IPC copy
    // too: a primary reaches its workers whatever their transport. Those on another transport
    // skip that copy (they get the broadcast from their transport).
    if (this.acceptsIpcBroadcasts && this.self.isPrimary) {
      await this.link.post(
        broadcastEnvelope(id, name, this.link.address, payload, false, this.link.origin, true),
      );
    }
  }

  /** @inheritdoc */
  request<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    payload: NoInfer<Payload>,
    options: RequestOptions = {},
  ): Promise<Reply> {
    const name = topicName(topic);
    if (this.closed) return Promise.reject(new ClusterClosedError(name));
    return this.pending.start(this.trackedRequest(topic, name, payload, options));
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
        : this.pending.track(this.trackedRequest(topic, name, payload, options)),
    );
  }

  /** @inheritdoc */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void {
    const name = topicName(topic);
    if (this.closed) throw new ClusterClosedError(name);
    const accept = this.registerValidator(topic);
    // Requests reach the handler only after `accepts()` passed them through the topic's validator.
    return this.handlers.register(name, (payload, context) =>
      accept(payload)
        ? handler(payload, context)
        : Promise.reject(new PayloadValidationError(name, context.from, 'payload')),
    );
  }

  /** @inheritdoc */
  async workers(): Promise<WorkersSnapshot> {
    const local = this.link.localSnapshot();
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
    await this.transport.close();
    await this.onClose?.();
  }

  /** Builds one request: its envelope, and how to send it and read its answer. */
  private trackedRequest<Reply>(
    topic: TopicLike<unknown, Reply>,
    name: string,
    payload: unknown,
    options: RequestOptions,
  ): TrackedRequest<Reply> {
    const acceptReply: Guard<Reply> =
      typeof topic === 'string' ? trustedAs : (topic.validateReply ?? trustedAs);
    const to = options.to ?? PRIMARY_ADDRESS;
    const envelope = requestEnvelope(
      this.link.nextId(),
      name,
      this.link.address,
      to,
      payload,
      options.timeoutMs ?? this.requestTimeoutMs,
    );
    return {
      id: envelope.id,
      topic: name,
      target: to,
      timeoutMs: envelope.timeoutMs,
      send: () => this.link.post(envelope),
      decode: (answer) => this.decodeAnswer(answer, name, to, acceptReply),
    };
  }

  private decodeAnswer<Reply>(answer: Answer, topic: string, target: Address, accept: Guard<Reply>): Reply {
    if (answer.kind === 'error-reply') throw errorOfFailure(answer.payload, topic, target, this.link.address);
    const reply = answer.payload;
    if (!accept(reply)) {
      const error = new PayloadValidationError(topic, target, 'reply');
      this.errorsSubject.next(error);
      throw error;
    }
    return reply;
  }

  private registerValidator<Payload>(topic: TopicLike<Payload, unknown>): Guard<Payload> {
    if (typeof topic === 'string' || !topic.validate) return trustedAs;
    if (!this.validators.has(topic.name)) this.validators.set(topic.name, topic.validate);
    return topic.validate;
  }

  private accepts(topic: string, payload: unknown, from: Address): boolean {
    const validate = this.validators.get(topic);
    if (!validate || validate(payload)) return true;
    this.errorsSubject.next(new PayloadValidationError(topic, from, 'payload'));
    return false;
  }

  private receive(envelope: DataEnvelope): void {
    switch (envelope.kind) {
      case 'reply':
      case 'error-reply':
        if (!this.pending.settle(envelope)) this.lateReplies += 1;
        return;
      case 'message':
        if (this.accepts(envelope.topic, envelope.payload, envelope.from)) this.emit('message', envelope);
        return;
      case 'request':
        if (!this.accepts(envelope.topic, envelope.payload, envelope.from)) {
          const error = new PayloadValidationError(envelope.topic, envelope.from, 'payload');
          this.responder.refuse(envelope, 'invalid-payload', error);
          return;
        }
        this.emit('request', envelope);
        void this.responder.respond(envelope);
        return;
      case 'broadcast':
        // With the IPC transport they arrive through it. With another transport (e.g. Redis),
        // broadcasts the primary fans out over IPC are delivered too (a primary on the default
        // transport reaches workers on any transport), except the IPC copies of broadcasts the
        // primary also sent through its own transport: those arrive from there. Nothing twice.
        if (this.acceptsIpcBroadcasts && !envelope.viaTransport) {
          this.receiveBroadcast({
            id: envelope.id,
            topic: envelope.topic,
            payload: envelope.payload,
            from: envelope.from,
            origin: envelope.origin,
            includeSelf: envelope.includeSelf,
          });
        }
        return;
    }
  }

  private receiveBroadcast(packet: BroadcastPacket): void {
    if (packet.origin === this.link.origin && !packet.includeSelf) return;
    if (!this.accepts(packet.topic, packet.payload, packet.from)) return;
    this.messagesSubject.next({
      kind: 'broadcast',
      topic: packet.topic,
      from: packet.from,
      id: packet.id,
      payload: packet.payload,
    });
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
