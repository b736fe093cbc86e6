import { Server as HttpsServer } from 'node:https';
import { type INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { type Namespace, type Server, type ServerOptions, type Socket } from 'socket.io';
import { ClusterStateError } from '../cluster.errors.js';
import { ClusterService } from '../cluster.service.js';
import { getClusterEnvironment } from '../environment/cluster-environment.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { getProcessMessaging } from '../process-state.js';
import { type DrainableServer, isDrainableServer } from '../http/http-drainer.js';
import { stickySessionId } from '../sticky/engine-session-id.js';
import { WorkerSocketHandover, processHandoverChannel } from '../sticky/worker-socket-handover.js';
import { clusterSocketAdapterClass, localSocketIoNode } from './cluster-socket.adapter.js';
import {
  type ClusterIoAdapterOptions,
  type ResolvedClusterIoOptions,
  resolveClusterIoOptions,
} from './cluster-io.options.js';
import { limitEventRate } from './event-rate-limit.js';
import { EngineConnections } from './socket-drain.js';
import { StickyRequestRouter } from './sticky-request.router.js';

/** engine.io's default `maxHttpBufferSize`. */
const ENGINE_MAX_BUFFER = 1e6;

/** What the adapter keeps per socket.io server it created. */
interface ServerEntry {
  readonly connections: EngineConnections;
  readonly router: StickyRequestRouter | undefined;
  readonly handover: WorkerSocketHandover | undefined;
  readonly httpServer: DrainableServer | undefined;
  /** The `close` listeners engine.io put on the HTTP server (they close every connection at once). */
  readonly engineCloseListeners: ReadonlyArray<(...args: unknown[]) => void>;
  draining: boolean;
}

/**
 * The socket.io adapter for Nest gateways under `bootstrapCluster`:
 * - sticky engine.io sessions (with `bootstrapCluster({ sticky: true })`): session ids name their
 *   worker, and a request that reaches another worker is handed to the owner, socket and all;
 * - `server.emit`, rooms, `to(room).emit`, `fetchSockets` and `serverSideEmit` across every
 *   worker, over `@nest-hive/cluster` messaging (and its broadcast transport across machines);
 * - on stop, new sessions are refused and open connections closed spread over `drainSpreadMs`,
 *   after the replacement is ready in a rolling restart: clients reconnect to live workers;
 * - an optional per-socket event rate limit.
 *
 * Outside a forked worker (a plain app, `workers: 0`) it is Nest's `IoAdapter`. A gateway that
 * misses a requirement fails at start-up with the fix in the message.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new ClusterIoAdapter(app, { eventRateLimit: { events: 20, intervalMs: 1000 } }));
 * await app.listen(3000);
 * ```
 */
export class ClusterIoAdapter extends IoAdapter {
  private readonly settings: ResolvedClusterIoOptions;
  private readonly servers = new Map<Server, ServerEntry>();

  /**
   * @param app - the worker's Nest app (its HTTP server carries the gateways).
   * @param options - see {@link ClusterIoAdapterOptions}.
   */
  constructor(
    private readonly app: INestApplication,
    options: ClusterIoAdapterOptions = {},
  ) {
    super(app);
    this.settings = resolveClusterIoOptions(options);
  }

  /** @inheritdoc */
  override createIOServer(port: number, options?: ServerOptions): Server {
    const environment = getClusterEnvironment();
    if (!environment.clustered || environment.workerId === null) return super.createIOServer(port, options);
    const workerId = environment.workerId;
    const transports = options?.transports ?? ['polling', 'websocket'];
    if (port !== 0) {
      throw new ClusterStateError(
        `A gateway on its own port (${port}) cannot be routed by the cluster. Leave the port out of ` +
          "@WebSocketGateway() so the gateway shares the app's HTTP server.",
      );
    }
    if (transports.includes('polling') && !environment.sticky) {
      throw new ClusterStateError(
        'socket.io long-polling needs sticky sessions in a cluster: pass `sticky: true` to bootstrapCluster(), ' +
          "or set `transports: ['websocket']` on the gateway (and on its clients).",
      );
    }
    if (transports.includes('polling') && this.httpServerOf() instanceof HttpsServer) {
      throw new ClusterStateError(
        'Sticky routing hands TCP connections between workers, which cannot carry a TLS session: ' +
          "terminate TLS in front of the cluster (a proxy), or set `transports: ['websocket']` on the gateway.",
      );
    }
    const messaging = this.messaging();
    const node = localSocketIoNode(workerId);
    const heartbeat = {
      heartbeatInterval: this.settings.heartbeatIntervalMs,
      heartbeatTimeout: this.settings.heartbeatTimeoutMs,
    };
    const entry: { draining: boolean } = { draining: false };
    const userAllow = options?.allowRequest;
    // Nest hands the gateway's (partial) options typed as ServerOptions; socket.io fills in the rest.
    const serverOptions = {
      ...options,
      adapter: clusterSocketAdapterClass(messaging, node, heartbeat),
      allowRequest: (req, callback) => {
        if (entry.draining) callback('This worker is stopping; reconnect.', false);
        else if (userAllow) userAllow(req, callback);
        else callback(null, true);
      },
    } satisfies Partial<ServerOptions> as ServerOptions;
    const httpServer = this.httpServerOf();
    const closeListenersBefore = new Set(httpServer?.listeners('close') ?? []);
    const server = super.createIOServer(port, serverOptions);
    const engineCloseListeners = (httpServer?.listeners('close') ?? []).filter(
      (listener) => !closeListenersBefore.has(listener),
    ) as Array<(...args: unknown[]) => void>;
    server.engine.generateId = () => stickySessionId(workerId);
    let router: StickyRequestRouter | undefined;
    let handover: WorkerSocketHandover | undefined;
    const channel = processHandoverChannel();
    if (environment.sticky && httpServer && channel) {
      handover = new WorkerSocketHandover(workerId, channel);
      router = new StickyRequestRouter(httpServer, handover, {
        workerId,
        path: `${server.path().replace(/\/$/, '')}/`,
        maxBodyBytes: options?.maxHttpBufferSize ?? ENGINE_MAX_BUFFER,
      });
      router.install();
    }
    this.servers.set(
      server,
      Object.assign(entry, {
        connections: new EngineConnections(server),
        router,
        handover,
        httpServer,
        engineCloseListeners,
      }),
    );
    return server;
  }

  /** Applies the event rate limit (if any) before the gateway sees a socket. */
  override bindClientConnect(server: Server | Namespace, callback: (socket: Socket) => void): void {
    const limit = this.settings.eventRateLimit;
    server.on('connection', (socket: Socket) => {
      if (limit) limitEventRate(socket, limit);
      callback(socket);
    });
  }

  /** Drains (see the class comment), then closes the server. */
  override async close(server: Server): Promise<void> {
    await this.drain(server);
    await super.close(server);
  }

  /** Drains and closes the servers Nest does not close itself (those behind namespaced gateways). */
  override async dispose(): Promise<void> {
    for (const server of [...this.servers.keys()]) {
      await this.drain(server);
      await server.close();
    }
    await super.dispose();
  }

  private async drain(server: Server): Promise<void> {
    const entry = this.servers.get(server);
    if (!entry) return;
    this.servers.delete(server);
    entry.draining = true;
    // Stop taking connections first, so that clients reconnect to the other workers. engine.io
    // closes every connection at once when the HTTP server closes: that listener comes off here,
    // and the spread below closes them instead (the engine itself closes with the server after).
    for (const listener of entry.engineCloseListeners) entry.httpServer?.off('close', listener);
    if (entry.httpServer?.listening) entry.httpServer.close();
    await entry.connections.closeSpread(this.settings.drainSpreadMs);
    entry.router?.uninstall();
    entry.handover?.close();
  }

  private messaging(): ClusterMessaging {
    const messaging = this.settings.messaging ?? this.clusterService() ?? getProcessMessaging();
    if (!messaging) {
      throw new ClusterStateError(
        'ClusterIoAdapter runs in a worker without cluster messaging: start the app with bootstrapCluster().',
      );
    }
    return messaging;
  }

  private clusterService(): ClusterMessaging | undefined {
    try {
      return this.app.get(ClusterService, { strict: false });
    } catch {
      return undefined;
    }
  }

  private httpServerOf(): DrainableServer | undefined {
    const server: unknown = this.httpServer;
    return isDrainableServer(server) ? server : undefined;
  }
}
