import { SHUTDOWN_IDLE_GRACE_MS } from '../cluster.constants.js';
import { type INestApplication, Logger } from '@nestjs/common';
import { LOOPBACK_WORKER_ID } from '../cluster.constants.js';
import { ClusterStateError, ReadyTimeoutError } from '../cluster.errors.js';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { HttpDrainer, isDrainableServer } from '../http/http-drainer.js';
import { runAsEndpoint } from '../process-state.js';
import { type ClusterController, type ShutdownReport } from '../supervisor/cluster-controller.interface.js';
import { type ClusterPrimaryRuntime } from './primary-runtime.js';

/**
 * `workers: 0`: the worker app runs inside the primary process as worker `0`, slot `0`, and every
 * `ClusterService` API works as a local loopback through the primary's router.
 */
export class InProcessWorker implements ClusterController {
  private readonly logger = new Logger('NestHiveCluster');
  private app: INestApplication | undefined;
  private drainer: HttpDrainer | undefined;
  private info: WorkerInfo | undefined;
  private shutdownPromise: Promise<ShutdownReport> | undefined;

  /**
   * @param runtime - the primary runtime.
   * @param options - the worker factory and its ready timeout.
   */
  constructor(
    private readonly runtime: ClusterPrimaryRuntime,
    private readonly options: {
      readonly worker: () => Promise<INestApplication>;
      readonly readyTimeoutMs: number;
    },
  ) {}

  /** The in-process worker app, once started. */
  get application(): INestApplication | undefined {
    return this.app;
  }

  /** @inheritdoc */
  onFatal(): void {
    // A single in-process worker has no slots to lose: a failing factory rejects start().
  }

  /** @inheritdoc */
  async start(): Promise<void> {
    this.runtime.onHttpServer((address, server) => {
      if (address === LOOPBACK_WORKER_ID) this.adopt(server);
    });
    const startedAt = Date.now();
    const app = await this.withReadyTimeout(runAsEndpoint(LOOPBACK_WORKER_ID, this.options.worker));
    this.app = app;
    this.adopt(app.getHttpServer());
    const readyAt = Date.now();
    this.info = { id: LOOPBACK_WORKER_ID, slot: 0, pid: process.pid, state: 'ready', startedAt, readyAt };
    this.runtime.hub.publishLifecycle([this.info], {
      type: 'ready',
      workerId: LOOPBACK_WORKER_ID,
      slot: 0,
      pid: process.pid,
      at: readyAt,
    });
  }

  /** @inheritdoc */
  rollingRestart(): Promise<void> {
    return Promise.reject(
      new ClusterStateError(
        'rollingRestart() needs forked workers; with workers: 0 the worker runs in-process.',
      ),
    );
  }

  /** @inheritdoc */
  scale(): Promise<void> {
    return Promise.reject(
      new ClusterStateError(
        'scale() needs forked workers; with workers: 0 the worker runs in-process. Start with workers: 1 or more.',
      ),
    );
  }

  /** @inheritdoc */
  shutdown(): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown();
    return this.shutdownPromise;
  }

  private async runShutdown(): Promise<ShutdownReport> {
    let clean = true;
    if (this.info) this.runtime.hub.publishLifecycle([{ ...this.info, state: 'stopping' }]);
    this.drainer?.drain(SHUTDOWN_IDLE_GRACE_MS);
    try {
      await this.app?.close();
    } catch (error) {
      clean = false;
      this.logger.error(
        `Closing the in-process worker failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.drainer?.dispose();
      this.runtime.onHttpServer(undefined);
    }
    this.runtime.hub.publishLifecycle([]);
    return { clean };
  }

  private withReadyTimeout(start: Promise<INestApplication>): Promise<INestApplication> {
    return new Promise<INestApplication>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ReadyTimeoutError(0, this.options.readyTimeoutMs));
        // If it still comes up, close it: nobody will use it.
        start.then((late) => late.close()).catch(() => undefined);
      }, this.options.readyTimeoutMs);
      start.then(
        (app) => {
          clearTimeout(timer);
          resolve(app);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private adopt(server: unknown): void {
    if (!this.drainer && isDrainableServer(server)) this.drainer = new HttpDrainer(server);
  }
}
