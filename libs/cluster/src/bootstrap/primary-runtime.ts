import { PRIMARY_EXTENSION_TOPIC, PrimaryExtensions } from './primary-extensions.js';
import { type Observable } from 'rxjs';
import { DEFAULT_REQUEST_TIMEOUT_MS, PRIMARY_ADDRESS, WORKERS_TOPIC } from '../cluster.constants.js';
import { ClusterStateError } from '../cluster.errors.js';
import {
  type Address,
  type ClusterMode,
  type ClusterSelf,
  type WorkerInfo,
  type WorkersSnapshot,
} from '../cluster.interfaces.js';
import { type ClusterEvent } from '../supervisor/cluster-event.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { PrimaryHub } from '../hub/primary-hub.js';
import { MessageCodec, type Serialization } from '../ipc/message-codec.js';
import { ClusterEndpoint, type ClusterEndpointOptions } from '../messaging/cluster-endpoint.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { endpointOptions } from '../messaging/endpoint-options.js';
import { type ClusterRequestHandlerFn } from '../messaging/handler-registry.js';
import { type ClusterTopic, type TopicLike, defineTopic } from '../messaging/topic.js';
import { type ClusterTransportFactory } from '../transport/cluster-transport.js';

/** IPC channel settings shared by primary and workers. */
export interface ChannelSettings {
  /** IPC serialization. */
  readonly serialization: Serialization;
  /** Largest serialized message. */
  readonly maxMessageBytes: number;
  /** Send-queue bound per channel. */
  readonly maxQueuedMessages: number;
}

/** Channel settings used until `bootstrapCluster` configures the runtime. */
export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  serialization: 'json',
  maxMessageBytes: 1024 * 1024,
  maxQueuedMessages: 10_000,
};

const WORKERS = defineTopic<unknown, WorkersSnapshot>(WORKERS_TOPIC);

/**
 * The primary process' messaging runtime: the IPC router every worker talks to, and a plain-code
 * endpoint at `'primary'` for code that runs in the primary without a Nest context (for example a
 * store shared by all workers). It always runs, with or without a `primary()` factory, and answers
 * the built-in worker-table request. Get it with `getPrimaryRuntime()` or `handle.runtime`.
 *
 * @example
 * ```ts
 * const runtime = getPrimaryRuntime();
 * runtime.handle(SESSION_GET, async ({ id }) => store.get(id));
 * runtime.messaging.broadcast(CONFIG_CHANGED, { at: Date.now() });
 * ```
 */
export class PrimaryRuntime {
  /** Lifecycle events and the worker table of the cluster. */
  readonly table = new ClusterTable();
  /** The router. */
  readonly hub: PrimaryHub;
  /** The primary's plain-code endpoint (`'primary'`): send, broadcast, request, handle, on. */
  readonly messaging: ClusterMessaging;
  private readonly endpoint: ClusterEndpoint;
  private currentMode: ClusterMode = 'loopback';
  private closed = false;

  /** @param settings - IPC channel settings. */
  constructor(settings: ChannelSettings = DEFAULT_CHANNEL_SETTINGS) {
    this.hub = new PrimaryHub(
      new MessageCodec(settings.serialization, settings.maxMessageBytes),
      this.table,
      settings.maxQueuedMessages,
    );
    this.endpoint = new ClusterEndpoint(this.endpointOptions(PRIMARY_ADDRESS, {}));
    this.messaging = this.endpoint;
    const extensions = new PrimaryExtensions(this);
    this.endpoint.handle(PRIMARY_EXTENSION_TOPIC, (request) => extensions.load(request));
    this.endpoint.handle(WORKERS, () => ({
      primary: { pid: process.pid },
      workers: this.table.workers ?? [],
    }));
  }

  /**
   * Lifecycle events of the cluster. A subscriber first gets the start-up events it missed (every
   * fork, online, listening and ready until `bootstrapCluster` resolved), then live ones.
   */
  get events$(): Observable<ClusterEvent> {
    return this.table.eventsSinceStart$;
  }

  /** The live worker table, replayed to late subscribers. */
  get workers$(): Observable<readonly WorkerInfo[]> {
    return this.table.workers$;
  }

  /** `'cluster'` with forked workers, `'loopback'` with `workers: 0` or before `bootstrapCluster`. */
  get mode(): ClusterMode {
    return this.currentMode;
  }

  /** Whether `close()` ran. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Applies the bootstrap's settings. Must happen before any worker is forked.
   *
   * @internal
   */
  configure(settings: ChannelSettings, mode: ClusterMode): void {
    if (this.closed) throw new ClusterStateError('The primary runtime is closed.');
    this.hub.configure(
      new MessageCodec(settings.serialization, settings.maxMessageBytes),
      settings.maxQueuedMessages,
    );
    this.currentMode = mode;
  }

  /** The identity of the endpoint at `address` in this process. */
  selfFor(address: Address): ClusterSelf {
    return address === PRIMARY_ADDRESS
      ? { isPrimary: true, workerId: null, slot: null, pid: process.pid, mode: this.currentMode }
      : { isPrimary: false, workerId: address, slot: 0, pid: process.pid, mode: this.currentMode };
  }

  /**
   * Options for an endpoint attached to this runtime at `address`.
   *
   * @internal
   */
  endpointOptions(
    address: Address,
    params: {
      requestTimeoutMs?: number;
      transport?: ClusterTransportFactory;
      onClose?: () => Promise<void> | void;
    },
  ): ClusterEndpointOptions {
    return endpointOptions(this.hub, {
      address,
      self: this.selfFor(address),
      requestTimeoutMs: params.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      transport: params.transport,
      onClose: params.onClose,
    });
  }

  /**
   * Registers a request handler answering `topic` for requests addressed to `'primary'`, from
   * plain code in the primary. Returns a function that removes it.
   */
  handle<Payload, Reply>(
    topic: ClusterTopic<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void;
  handle(topic: string, handler: ClusterRequestHandlerFn<unknown, unknown>): () => void;
  handle(topic: TopicLike, handler: ClusterRequestHandlerFn<unknown, unknown>): () => void {
    return typeof topic === 'string'
      ? this.endpoint.handle(topic, handler)
      : this.endpoint.handle(topic, handler);
  }

  /** Closes the plain-code endpoint and the router, and completes the lifecycle streams. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.endpoint.close();
    this.hub.close();
    this.table.complete();
  }
}
