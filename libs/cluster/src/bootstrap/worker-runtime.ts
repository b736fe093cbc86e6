import { DEFAULT_REQUEST_TIMEOUT_MS, SHUTDOWN_IDLE_GRACE_MS } from '../cluster.constants.js';
import { ClusterEndpoint } from '../messaging/cluster-endpoint.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { type EndpointParams } from '../messaging/endpoint-params.js';
import { type INestApplication } from '@nestjs/common';
import { type ClusterSelf } from '../cluster.interfaces.js';
import { HttpDrainer, isDrainableServer } from '../http/http-drainer.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { type ProcessChannel, WorkerHub } from '../hub/worker-hub.js';
import { type StopMode } from '../wire/envelope.types.js';
import { MessageCodec } from '../ipc/message-codec.js';
import { ClusterStateError } from '../cluster.errors.js';
import { runAsEndpoint } from '../process-state.js';
import { type ChannelSettings } from '../ipc/channel-settings.js';

/** Settings of a worker runtime. */
export interface WorkerRuntimeSettings extends ChannelSettings {
  /** Idle grace for keep-alive connections during a rolling restart. */
  readonly idleGraceMs: number;
}

/**
 * A forked worker's runtime: its IPC router to the primary, the app its `worker()` factory
 * created, and the graceful stop of that app when the primary (or a signal) asks for it.
 */
export class WorkerRuntime {
  /** Lifecycle events and worker table, as forwarded by the primary. */
  readonly table = new ClusterTable();
  /** The router. */
  readonly hub: WorkerHub;
  /** This worker's identity. */
  readonly self: ClusterSelf & { readonly isPrimary: false };
  private app: INestApplication | undefined;
  private plainEndpoint: ClusterEndpoint | undefined;
  private drainer: HttpDrainer | undefined;
  private stopping: Promise<void> | undefined;

  /**
   * @param identity - worker id and slot.
   * @param settings - channel settings and idle grace.
   * @param channel - this process' IPC channel.
   */
  constructor(
    identity: { readonly workerId: number; readonly slot: number },
    private readonly settings: WorkerRuntimeSettings,
    channel: ProcessChannel,
  ) {
    this.self = {
      isPrimary: false,
      workerId: identity.workerId,
      slot: identity.slot,
      pid: process.pid,
      mode: 'cluster',
    };
    this.hub = new WorkerHub(
      new MessageCodec(settings.serialization, settings.maxMessageBytes),
      this.table,
      identity.workerId,
      channel,
      settings.maxQueuedMessages,
    );
  }

  /**
   * The worker's plain-code endpoint, for libraries that need IPC without a
   * Nest module (created on first use, closed when the worker stops).
   */
  get messaging(): ClusterMessaging {
    this.plainEndpoint ??= new ClusterEndpoint(this.hub, this.endpointParams({}));
    return this.plainEndpoint;
  }

  /** The params of an endpoint of this worker: its HTTP server comes here, to be drained on stop. */
  endpointParams(params: Pick<Partial<EndpointParams>, 'requestTimeoutMs' | 'transport'>): EndpointParams {
    return {
      address: this.self.workerId,
      self: this.self,
      requestTimeoutMs: params.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      transport: params.transport,
      onHttpServer: (server) => this.adopt(server),
    };
  }

  /** Calls `listener` when the primary asks this worker to stop. */
  onStop(listener: (mode: StopMode) => void): void {
    this.hub.onStop(listener);
  }

  /**
   * Runs the worker factory as this worker's endpoint, then reports ready to the primary. An app
   * that comes up after a stop was requested is closed at once, and the start rejects.
   */
  async start(factory: () => Promise<INestApplication>): Promise<INestApplication> {
    this.hub.start();
    const app = await runAsEndpoint(this.self.workerId, factory);
    if (this.stopping) {
      await app.close().catch(() => undefined);
      throw new ClusterStateError('The worker was asked to stop while its worker() factory ran.');
    }
    this.app = app;
    this.adopt(app.getHttpServer());
    await this.hub.sendReady();
    return app;
  }

  /** Tells the primary why the worker() factory failed, so its crash-loop log can name it. Never rejects. */
  async reportStartFailure(error: unknown): Promise<void> {
    await this.hub.sendStartFailure(error).catch(() => undefined);
  }

  /**
   * Stops gracefully: drains HTTP (see `HttpDrainer`), runs `app.close()` (Nest's shutdown hooks,
   * in-flight requests finish), then closes the router. Idempotent.
   */
  stop(mode: StopMode): Promise<void> {
    this.stopping ??= this.runStop(mode);
    return this.stopping;
  }

  private async runStop(mode: StopMode): Promise<void> {
    this.drainer?.drain(mode === 'restart' ? this.settings.idleGraceMs : SHUTDOWN_IDLE_GRACE_MS);
    try {
      await this.app?.close();
    } finally {
      this.drainer?.dispose();
      await this.plainEndpoint?.close();
      this.hub.close();
      this.table.complete();
    }
  }

  private adopt(server: unknown): void {
    if (!this.drainer && isDrainableServer(server)) this.drainer = new HttpDrainer(server);
  }
}
