import { Socket } from 'node:net';
import {
  type SocketHandoverMessage,
  handoverMessage,
  isSocketHandoverMessage,
} from './socket-handover.message.js';
import { stopReading } from './stop-reading.js';

/** Receives the sockets other workers hand to this one, with the bytes already read from them. */
export type HandedSocketListener = (socket: Socket, data: Buffer, final: boolean) => void;

/** The part of `process` the handover uses. */
export interface HandoverChannel {
  send(
    message: object,
    socket: Socket,
    options: { keepOpen: boolean },
    callback: (error: Error | null) => void,
  ): boolean;
  on(event: 'message', listener: (message: unknown, handle?: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown, handle?: unknown) => void): unknown;
}

/** This process' channel for handovers, or `undefined` outside a forked worker. */
export function processHandoverChannel(): HandoverChannel | undefined {
  if (!process.send) return undefined;
  return {
    send: (message, socket, options, callback) => process.send?.(message, socket, options, callback) ?? false,
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
}

/**
 * A worker's side of sticky routing: hands a socket, with the request bytes read from it, to the
 * worker that owns its engine.io session (through the primary), and receives the sockets other
 * workers hand over. One instance per server; `close()` removes its listener.
 */
export class WorkerSocketHandover {
  private readonly onMessage = (message: unknown, handle?: unknown): void => {
    if (!(handle instanceof Socket) || !isSocketHandoverMessage(message)) return;
    this.receive(message, handle);
  };
  private listener: HandedSocketListener | undefined;

  /**
   * @param workerId - this worker's id.
   * @param channel - this process' IPC channel.
   */
  constructor(
    private readonly workerId: number,
    private readonly channel: HandoverChannel,
  ) {
    channel.on('message', this.onMessage);
  }

  /** Sets who serves the sockets handed to this worker. */
  onSocket(listener: HandedSocketListener): void {
    this.listener = listener;
  }

  /**
   * Hands `socket` to worker `to`; `data` is what was read from it and must be parsed first. The
   * socket is detached here; it is destroyed if the primary cannot be reached.
   */
  handOver(socket: Socket, to: number, data: Buffer): void {
    const message = handoverMessage(this.workerId, to, data);
    stopReading(socket);
    try {
      this.channel.send(message, socket, { keepOpen: false }, (error) => {
        // Sent: what is left here is a socket object without a handle; destroying it lets the
        // HTTP server release its state. Not sent: the connection is lost either way.
        socket.destroy();
        void error;
      });
    } catch {
      socket.destroy();
    }
  }

  /** Stops receiving. */
  close(): void {
    this.channel.off('message', this.onMessage);
    this.listener = undefined;
  }

  private receive(message: SocketHandoverMessage, socket: Socket): void {
    const listener = this.listener;
    if (message.to !== this.workerId && !message.final) {
      socket.destroy();
      return;
    }
    if (!listener) {
      socket.destroy();
      return;
    }
    listener(socket, Buffer.from(message.data, 'base64'), message.final);
  }
}
