import { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { stopReading } from './stop-reading.js';
import { type LaunchedWorker } from '../supervisor/worker-launcher.js';
import { type SocketHandoverMessage, isSocketHandoverMessage } from './socket-handover.message.js';

interface RelayPeer {
  readonly worker: LaunchedWorker;
  readonly onMessage: (message: unknown, handle?: unknown) => void;
}

/**
 * The primary's side of sticky routing: a worker that read a request for an engine.io session
 * another worker owns sends the socket here, with the bytes it read, and the relay passes both to
 * the owner. A socket whose owner is gone goes back to its sender marked `final` (which then answers
 * it, as engine.io does for an unknown session), and is closed if the sender is gone too. A
 * handover that claims another sender is closed; other messages with handles are left alone.
 */
export class SocketRelay {
  private readonly logger = new Logger('NestHiveCluster');
  private readonly peers = new Map<number, RelayPeer>();

  /** Starts relaying for a freshly forked worker. */
  add(worker: LaunchedWorker): void {
    const onMessage = (message: unknown, handle?: unknown): void => {
      if (!(handle instanceof Socket) || !isSocketHandoverMessage(message)) return; // not ours
      stopReading(handle);
      if (message.from !== worker.id) handle.destroy();
      else this.relay(message, handle);
    };
    worker.on('message', onMessage);
    this.peers.set(worker.id, { worker, onMessage });
  }

  /** Stops relaying for a worker that exited. Idempotent. */
  remove(workerId: number): void {
    const peer = this.peers.get(workerId);
    if (!peer) return;
    this.peers.delete(workerId);
    peer.worker.off('message', peer.onMessage);
  }

  private relay(message: SocketHandoverMessage, socket: Socket): void {
    const target = message.final ? undefined : this.peers.get(message.to);
    if (target && message.to !== message.from && this.pass(target, message, socket)) return;
    const sender = this.peers.get(message.from);
    if (!sender || !this.pass(sender, { ...message, final: true }, socket)) socket.destroy();
  }

  private pass(peer: RelayPeer, message: SocketHandoverMessage, socket: Socket): boolean {
    const send = peer.worker.sendSocket;
    if (!send || !peer.worker.isConnected()) return false;
    try {
      send(message, socket, (error) => {
        if (error) this.logger.warn(`A socket handed to worker ${peer.worker.id} was lost: ${error.message}`);
        // Sent or not, what is left here is a socket object without a handle. Destroying it is what
        // tells the sender's server that the connection it handed over has closed: without that,
        // the sender's server.close() waits for the primary forever and its worker never stops.
        socket.destroy();
      });
      return true;
    } catch {
      return false;
    }
  }
}
