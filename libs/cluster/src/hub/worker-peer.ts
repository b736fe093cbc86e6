import { type IpcChannel, type IpcTarget } from '../ipc/ipc-channel.js';
import { type PongEnvelope, type ReadyEnvelope, type StartFailedEnvelope } from '../wire/envelope.types.js';

/** A worker as the hub routes to it: its id and its IPC channel. */
export interface WorkerChannel extends IpcTarget {
  /** `cluster.worker.id`. */
  readonly id: number;
  /** Subscribes to the messages it sends. */
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** Unsubscribes. */
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** What a worker reports to the supervisor: ready, its start failed, or a heartbeat's answer. */
export type WorkerReport = ReadyEnvelope | StartFailedEnvelope | PongEnvelope;

/** A worker the primary's hub routes to: the worker, its channel and the hub's listener on it. */
export interface Peer {
  readonly worker: WorkerChannel;
  readonly channel: IpcChannel;
  readonly onMessage: (message: unknown) => void;
}

/** The part of a worker its IPC channel writes to. */
export function workerTarget(worker: WorkerChannel): IpcTarget {
  return {
    isConnected: () => worker.isConnected(),
    send: (message, callback) => worker.send(message, callback),
  };
}
