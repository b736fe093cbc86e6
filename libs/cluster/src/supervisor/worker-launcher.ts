/**
 * The supervisor's port to the processes it runs. `NodeClusterLauncher` is the only code that
 * forks with `node:cluster`; the unit specs drive the supervisor with a fake launcher instead.
 */
import { type Socket } from 'node:net';
import { type WorkerChannel } from '../hub/worker-peer.js';

/** Where a worker's server listens, as Node's `listening` event reports it. */
export interface ListeningAddress {
  readonly address?: unknown;
  readonly port?: unknown;
}

/** One launched worker process, as the supervisor and the primary's hub see it. */
export interface LaunchedWorker extends WorkerChannel {
  /** Unique id (`cluster.worker.id`), rising with every launch. */
  readonly id: number;
  /** Process id, or `undefined` if the launch failed before one existed. */
  readonly pid: number | undefined;
  /**
   * Hands a TCP socket to the process with a message (sticky routing); the socket is closed here
   * once sent. Absent on launchers that cannot pass handles.
   */
  readonly sendSocket?: (message: object, socket: Socket, callback: (error: Error | null) => void) => void;
  /** Sends a signal to the process. Throws when it is already gone. */
  kill(signal: NodeJS.Signals): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'online' | 'disconnect', listener: () => void): unknown;
  on(event: 'listening', listener: (address: ListeningAddress) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'online' | 'disconnect', listener: () => void): unknown;
  off(event: 'listening', listener: (address: ListeningAddress) => void): unknown;
  off(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** Starts worker processes. */
export interface WorkerLauncher {
  /** Starts one worker with these extra environment variables. */
  launch(env: Readonly<Record<string, string>>): LaunchedWorker;
}
