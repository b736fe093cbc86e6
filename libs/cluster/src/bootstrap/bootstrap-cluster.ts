import { type INestApplication, type INestApplicationContext, Logger } from '@nestjs/common';
import { ClusterStateError } from '../cluster.errors.js';
import { PRIMARY_ADDRESS, WORKER_EXIT_LINGER_MS } from '../cluster.constants.js';
import { currentProcessChannel } from '../hub/worker-hub.js';
import { type StopMode } from '../wire/envelope.types.js';
import { type ClusterEnvironment, getClusterEnvironment } from '../environment/cluster-environment.js';
import {
  type SignalHandler,
  processPrimaryRuntime,
  installSignalHandlers,
  releasePrimaryRuntime,
  runAsEndpoint,
  setWorkerRuntime,
} from '../process-state.js';
import { type ClusterController, type ShutdownReport } from '../supervisor/cluster-controller.interface.js';
import { NodeClusterLauncher } from '../supervisor/node-cluster.launcher.js';
import { Supervisor } from '../supervisor/supervisor.js';
import {
  type ClusterBootstrapOptions,
  type ResolvedClusterOptions,
  resolveClusterOptions,
} from './bootstrap.options.js';
import { type ClusterHandle, type PrimaryClusterHandle, type WorkerClusterHandle } from './cluster-handle.js';
import { InProcessWorker } from './in-process-worker.js';
import { scalingSignals } from './scaling-signals.js';
import { ControlServer } from '../control/control-server.js';
import { WorkerRuntime } from './worker-runtime.js';

const logger = new Logger('NestHiveCluster');

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Starts a supervised cluster from `main.ts`. The same file runs in every process:
 * - in the primary it runs the optional `primary()` factory, forks the workers and supervises
 *   them; it resolves once all N workers are ready, with a handle to drive the cluster;
 *   `SIGTERM`/`SIGINT` shut it down gracefully and exit, the reload signal rolls a restart;
 * - in a worker it runs `worker()`, reports ready to the primary, and stops gracefully when asked;
 * - with `workers: 0` it runs `worker()` in the primary process (loopback).
 *
 * @example
 * ```ts
 * // main.ts
 * const handle = await bootstrapCluster({
 *   workers: Number(process.env.WORKERS ?? 2),
 *   worker: async () => {
 *     const app = await NestFactory.create(AppModule);
 *     await app.listen(3000);
 *     return app;
 *   },
 * });
 * if (handle.role === 'primary') handle.events$.subscribe((event) => console.log(event.type, event.slot));
 * ```
 */
export async function bootstrapCluster(options: ClusterBootstrapOptions): Promise<ClusterHandle> {
  const resolved = resolveClusterOptions(options);
  const environment = getClusterEnvironment();
  if (environment.clustered) return startWorker(resolved, environment);
  if (!environment.isPrimary) {
    throw new ClusterStateError(
      'bootstrapCluster() runs in a worker that another cluster manager forked (e.g. PM2 cluster mode). ' +
        'Run the app as a single process under that manager, or let bootstrapCluster do the forking.',
    );
  }
  return startPrimary(resolved);
}

async function startPrimary(options: ResolvedClusterOptions): Promise<PrimaryClusterHandle> {
  const runtime = processPrimaryRuntime();
  runtime.configure(options, options.workers === 0 ? 'loopback' : 'cluster');
  let context: INestApplicationContext | undefined;
  let controller: ClusterController | undefined;
  let inProcess: InProcessWorker | undefined;
  let control: ControlServer | undefined;
  const startedAt = Date.now();
  let shutdownPromise: Promise<ShutdownReport> | undefined;
  let removeSignals = (): void => undefined;

  const shutdown = (): Promise<ShutdownReport> => {
    shutdownPromise ??= (async () => {
      runtime.table.markShuttingDown();
      await control?.close();
      let clean = controller ? (await controller.shutdown()).clean : true;
      try {
        await context?.close();
      } catch (error) {
        clean = false;
        logger.error(`Closing the primary context failed: ${message(error)}`);
      }
      removeSignals();
      runtime.onFatalHostFailure(undefined);
      await runtime.close();
      releasePrimaryRuntime(runtime);
      return { clean };
    })();
    return shutdownPromise;
  };
  // Set once the bootstrap has decided to end the process (a stop signal, every slot in a crash
  // loop): a start-up cut short by it is then no error to hand back to the caller.
  let exiting = false;
  /** Shuts down, logs `finalWords` (if any) as the very last line, and exits. */
  const shutdownAndExit = (code?: number, finalWords?: string): void => {
    exiting = true;
    shutdown().then(
      (report) => {
        if (finalWords) logger.error(finalWords);
        process.exit(code ?? (report.clean ? 0 : 1));
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${message(error)}`);
        if (finalWords) logger.error(finalWords);
        process.exit(1);
      },
    );
  };
  const rollingRestart = (): Promise<void> =>
    controller
      ? controller.rollingRestart()
      : Promise.reject(new ClusterStateError('The cluster is not started.'));
  let desired = Math.max(options.workers, 1);
  const scale = async (workers: number): Promise<void> => {
    if (!controller) throw new ClusterStateError('The cluster is not started.');
    await controller.scale(workers);
  };

  const signals = new Map<NodeJS.Signals, SignalHandler>();
  let delayedStop: NodeJS.Timeout | undefined;
  const onStop: SignalHandler = (signal) => {
    clearTimeout(delayedStop);
    const delayMs = options.shutdownDelayMs;
    if (signal !== 'SIGTERM' || delayMs === 0 || delayedStop !== undefined || exiting) {
      logger.log(`${signal} received: shutting the cluster down gracefully`);
      shutdownAndExit();
      return;
    }
    // Serve on while health checks answer down, so that a load balancer takes this machine out first.
    runtime.table.markShuttingDown();
    logger.log(
      `${signal} received: health checks answer down, the cluster shuts down gracefully in ${delayMs} ms (shutdownDelayMs)`,
    );
    delayedStop = setTimeout(() => onStop(signal), delayMs);
  };
  signals.set('SIGTERM', onStop);
  signals.set('SIGINT', onStop);
  if (options.reloadSignal) {
    signals.set(options.reloadSignal, (signal) => {
      logger.log(`${signal} received: rolling restart`);
      rollingRestart().catch((error: unknown) => logger.error(message(error)));
    });
  }
  if (options.workers > 0) {
    const scaling = scalingSignals({ desired: () => desired, scale, logger });
    signals.set('SIGTTIN', scaling.SIGTTIN);
    signals.set('SIGTTOU', scaling.SIGTTOU);
  }
  removeSignals = installSignalHandlers(signals);
  // A library's primary side that can never start (a damaged session file): say so once and stop.
  runtime.onFatalHostFailure((reason) =>
    shutdownAndExit(1, `${reason} The cluster stops: fix it and start again.`),
  );

  try {
    const primary = options.primary;
    if (primary) context = (await runAsEndpoint(PRIMARY_ADDRESS, () => primary(runtime))) ?? undefined;
    runtime.table.setDesired(Math.max(options.workers, 1));
    if (options.workers === 0) {
      inProcess = new InProcessWorker(runtime, options);
      controller = inProcess;
    } else {
      const launcher = new NodeClusterLauncher({
        exec: process.argv[1] ?? '',
        args: process.argv.slice(2),
        serialization: options.serialization,
      });
      const supervisor = new Supervisor(runtime.hub, options, launcher);
      supervisor.onDesiredChange((workers) => {
        desired = workers;
        runtime.table.setDesired(workers);
      });
      controller = supervisor;
      if (options.controlSocket) {
        control = new ControlServer({
          status: () => ({
            primary: { pid: process.pid, startedAt, node: process.version },
            desired,
            workers: supervisor.status(),
            restarts: runtime.table.snapshot().restarts,
          }),
          reload: rollingRestart,
          scale,
        });
      }
    }
    controller.onFatal((error) => shutdownAndExit(1, error.message));
    await controller.start();
    runtime.table.endStartup();
    await control?.start();
  } catch (error) {
    // The process is on its way out and says why itself: hand nothing back (the caller's
    // top-level await would only print a stack trace after the cause).
    if (exiting) return new Promise<never>(() => undefined);
    await shutdown();
    throw error;
  }
  logger.log(
    `Cluster ready: ${options.workers === 0 ? 'in-process worker (workers: 0)' : `${options.workers} workers`}`,
  );
  const app: INestApplication | undefined = inProcess?.application;
  return {
    role: 'primary',
    mode: runtime.mode,
    runtime,
    events$: runtime.events$,
    workers$: runtime.table.workers$,
    context,
    app,
    rollingRestart,
    scale,
    shutdown,
  };
}

async function startWorker(
  options: ResolvedClusterOptions,
  environment: ClusterEnvironment,
): Promise<WorkerClusterHandle> {
  const channel = currentProcessChannel();
  if (!channel || environment.workerId === null) {
    throw new ClusterStateError(
      'This worker has no IPC channel to the primary; it must be forked by bootstrapCluster.',
    );
  }
  const runtime = new WorkerRuntime(
    { workerId: environment.workerId, slot: environment.slot ?? 0 },
    options,
    channel,
  );
  setWorkerRuntime(runtime);
  let removeSignals = (): void => undefined;
  let exiting: Promise<void> | undefined;
  const stopAndExit = (mode: StopMode): Promise<void> => {
    exiting ??= runtime.stop(mode).then(
      () => finish(0),
      (error: unknown) => {
        logger.error(`Worker ${environment.workerId} failed to stop cleanly: ${message(error)}`);
        finish(1);
      },
    );
    return exiting;
  };
  const finish = (code: number): void => {
    removeSignals();
    setWorkerRuntime(undefined);
    // Linger a moment with the IPC channel open: a connection the primary handed over just before
    // it heard that this server closed is then declined (Node hands it to another worker) instead
    // of being stranded by the exit.
    setTimeout(() => process.exit(code), WORKER_EXIT_LINGER_MS);
  };

  const signals = new Map<NodeJS.Signals, SignalHandler>();
  signals.set('SIGTERM', () => void stopAndExit('shutdown'));
  signals.set('SIGINT', () => void stopAndExit('shutdown'));
  // The primary orchestrates reloads; a worker that receives the reload signal itself ignores it.
  if (options.reloadSignal) signals.set(options.reloadSignal, () => undefined);
  removeSignals = installSignalHandlers(signals);
  runtime.onStop((mode) => void stopAndExit(mode));

  let app: INestApplication;
  try {
    app = await runtime.start(options.worker);
  } catch (error) {
    // Asked to stop while starting (Ctrl-C reaches every process of the group): not a failure,
    // and stopAndExit() is already ending the process.
    if (exiting) return new Promise<never>(() => undefined);
    // Logged here with its stack, reported to the primary (whose crash-loop log names it), and
    // the worker exits 1; nothing is handed back, so the caller's top-level await stays quiet.
    logger.error(
      `The worker() factory of worker ${environment.workerId} failed: ${describeError(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
    await runtime.reportStartFailure(error);
    await runtime.stop('shutdown').catch(() => undefined);
    finish(1);
    return new Promise<never>(() => undefined);
  }
  return { role: 'worker', app, self: runtime.self, stop: () => stopAndExit('shutdown') };
}
