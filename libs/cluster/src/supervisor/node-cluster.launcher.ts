import cluster, { type Worker } from 'node:cluster';
import { type Serialization } from '../ipc/message-codec.js';
import { type LaunchedWorker, type WorkerLauncher } from './worker-launcher.js';

/** What the workers run. */
export interface NodeClusterLaunchSettings {
  /** Entry file the workers run. */
  readonly exec: string;
  /** Arguments passed to it. */
  readonly args: readonly string[];
  /** IPC serialization. */
  readonly serialization: Serialization;
}

/** Node's worker behind the port. Listener types are Node's own loose ones, hence the widening. */
function launched(worker: Worker): LaunchedWorker {
  return {
    id: worker.id,
    pid: worker.process.pid,
    isConnected: () => worker.isConnected(),
    send: (message, callback) => worker.send(message, callback),
    sendSocket: (message, socket, callback) => {
      worker.send(message, socket, { keepOpen: false }, callback);
    },
    kill: (signal) => {
      worker.process.kill(signal);
    },
    on: (event: string, listener: (...args: never[]) => void) =>
      worker.on(event, listener as (...args: unknown[]) => void),
    off: (event: string, listener: (...args: never[]) => void) =>
      worker.off(event, listener as (...args: unknown[]) => void),
  };
}

/** Forks workers with `node:cluster` (`setupPrimary` once, then `fork`). */
export class NodeClusterLauncher implements WorkerLauncher {
  private configured = false;

  /** @param settings - entry file, arguments and serialization of the workers. */
  constructor(private readonly settings: NodeClusterLaunchSettings) {}

  /** @inheritdoc */
  launch(env: Readonly<Record<string, string>>): LaunchedWorker {
    if (!this.configured) {
      cluster.setupPrimary({
        exec: this.settings.exec,
        args: [...this.settings.args],
        serialization: this.settings.serialization,
      });
      this.configured = true;
    }
    return launched(cluster.fork(env));
  }
}
