import { Logger } from '@nestjs/common';
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
import { type PrimaryHost, PRIMARY_HOST_TOPIC } from '../extensions/primary-host.js';
import { PrimaryHosts } from '../extensions/primary-hosts.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { PrimaryHub } from '../hub/primary-hub.js';
import { type ChannelSettings, DEFAULT_CHANNEL_SETTINGS } from '../ipc/channel-settings.js';
import { MessageCodec } from '../ipc/message-codec.js';
import { ClusterEndpoint } from '../messaging/cluster-endpoint.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { type EndpointParams } from '../messaging/endpoint-params.js';
import { type ClusterRequestHandlerFn } from '../messaging/handler-registry.js';
import { type TopicLike, defineTopic } from '../messaging/topic.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type PrimaryRuntime } from './primary-runtime.interface.js';

const WORKERS = defineTopic<unknown, WorkersSnapshot>(WORKERS_TOPIC);

/**
 * The primary process' runtime behind the `PrimaryRuntime` interface: the IPC router every worker
 * talks to (`hub`), the lifecycle table, the plain-code endpoint at `'primary'`, and the primary
 * hosts. It answers the built-in worker-table and host requests.
 */
export class ClusterPrimaryRuntime implements PrimaryRuntime {
  /** Lifecycle events and the worker table of the cluster. */
  readonly table = new ClusterTable();
  /** The router. */
  readonly hub: PrimaryHub;
  /** The primary's plain-code endpoint (`'primary'`): send, broadcast, request, handle, on. */
  readonly messaging: ClusterMessaging;
  private readonly endpoint: ClusterEndpoint;
  private readonly hosts = new PrimaryHosts(this);
  private currentMode: ClusterMode = 'loopback';
  private httpServerHandler: ((address: Address, server: unknown) => void) | undefined;
  private readonly closeHooks: (() => void | Promise<void>)[] = [];
  private closed = false;

  /** @param settings - IPC channel settings. */
  constructor(settings: ChannelSettings = DEFAULT_CHANNEL_SETTINGS) {
    this.hub = new PrimaryHub(
      new MessageCodec(settings.serialization, settings.maxMessageBytes),
      this.table,
      settings.maxQueuedMessages,
    );
    this.endpoint = new ClusterEndpoint(this.hub, this.endpointParams(PRIMARY_ADDRESS, {}));
    this.messaging = this.endpoint;
    this.endpoint.handle(PRIMARY_HOST_TOPIC, (request) => this.hosts.start(request));
    this.endpoint.handle(WORKERS, () => this.table.snapshot());
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
   * The params of an endpoint attached to this runtime's hub at `address`. The HTTP server its
   * app offers goes to the handler set with {@link onHttpServer}.
   *
   * @internal
   */
  endpointParams(
    address: Address,
    params: Pick<Partial<EndpointParams>, 'requestTimeoutMs' | 'transport' | 'onClose'>,
  ): EndpointParams {
    return {
      address,
      self: this.selfFor(address),
      requestTimeoutMs: params.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      transport: params.transport,
      onHttpServer: (server) => this.httpServerHandler?.(address, server),
      onClose: params.onClose,
    };
  }

  /**
   * Lets the runtime's in-process worker receive the HTTP servers its endpoints' apps offer (for
   * graceful draining); `undefined` stops it.
   *
   * @internal
   */
  onHttpServer(handler: ((address: Address, server: unknown) => void) | undefined): void {
    this.httpServerHandler = handler;
  }

  /** @inheritdoc */
  handle<Payload = unknown, Reply = unknown>(
    topic: TopicLike<Payload, Reply>,
    handler: ClusterRequestHandlerFn<NoInfer<Payload>, NoInfer<Reply>>,
  ): () => void {
    return this.endpoint.handle(topic, handler);
  }

  /** @inheritdoc */
  attachHost<Options>(host: PrimaryHost<Options>, options: Options): Promise<void> {
    return this.hosts.attach(host, options);
  }

  /**
   * Lets `bootstrapCluster` stop the cluster when a host fails for good (see `PrimaryHost.isFatal`);
   * `undefined` stops it.
   *
   * @internal
   */
  onFatalHostFailure(handler: ((message: string) => void) | undefined): void {
    this.hosts.onFatal(handler);
  }

  /** @inheritdoc */
  onClose(hook: () => void | Promise<void>): void {
    this.closeHooks.push(hook);
  }

  /**
   * Runs the close hooks (latest first; a failing hook is reported and the others still run), then
   * closes the plain-code endpoint and the router, and completes the lifecycle streams. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const hook of this.closeHooks.splice(0).reverse()) {
      try {
        await hook();
      } catch (error) {
        new Logger('NestHiveCluster').error(
          `A primary close hook failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await this.endpoint.close();
    this.hub.close();
    this.table.complete();
  }
}
