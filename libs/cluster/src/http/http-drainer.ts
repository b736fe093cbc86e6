import { type IncomingMessage, Server as HttpServer, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { type Socket } from 'node:net';

/** The servers a drainer can work with. */
export type DrainableServer = HttpServer | HttpsServer;

/** Whether `value` is a Node HTTP(S) server. */
export function isDrainableServer(value: unknown): value is DrainableServer {
  return value instanceof HttpServer || value instanceof HttpsServer;
}

interface SocketState {
  /** Requests in flight on the socket. */
  active: number;
  /** Responses whose headers are not sent yet. */
  readonly open: Set<ServerResponse>;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Lets a leaving worker finish cleanly over keep-alive connections.
 *
 * Closing idle keep-alive sockets on the spot races with a request the client is just sending on
 * one of them, which then fails with a reset. So while draining:
 * - every response still to be written, and every request that arrives, is answered with
 *   `Connection: close`: Node closes that connection right after the response;
 * - a connection with nothing in flight is closed only if it stays idle for `idleGraceMs`
 *   (`0` closes idle connections at once, which is right when the whole service stops);
 * - Node's own "close idle connections" step of `server.close()` is held off, so `app.close()`
 *   stops accepting and then waits for the connections above to end.
 */
export class HttpDrainer {
  private readonly sockets = new Map<Socket, SocketState>();
  private draining = false;
  private idleGraceMs = 0;
  private readonly onConnection = (socket: Socket): void => {
    this.track(socket);
  };
  private readonly onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    this.request(request.socket, response);
  };

  /** @param server - the HTTP server to watch; call before it accepts connections when possible. */
  constructor(private readonly server: DrainableServer) {
    server.on('connection', this.onConnection);
    server.prependListener('request', this.onRequest);
  }

  /** Open connections known to the drainer. */
  get connections(): number {
    return this.sockets.size;
  }

  /**
   * Starts draining. Idempotent.
   *
   * @param idleGraceMs - how long an idle connection may wait for its next request.
   */
  drain(idleGraceMs: number): void {
    if (this.draining) return;
    this.draining = true;
    this.idleGraceMs = idleGraceMs;
    // Own property shadowing the prototype's method, so server.close() leaves idle sockets to us.
    Reflect.defineProperty(this.server, 'closeIdleConnections', {
      value: () => undefined,
      configurable: true,
      writable: true,
    });
    for (const [socket, state] of this.sockets) {
      for (const response of state.open) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
      }
      if (state.active === 0) this.scheduleIdleClose(socket, state);
    }
  }

  /** Stops watching the server and restores it. */
  dispose(): void {
    this.server.off('connection', this.onConnection);
    this.server.off('request', this.onRequest);
    Reflect.deleteProperty(this.server, 'closeIdleConnections');
    for (const state of this.sockets.values()) if (state.idleTimer) clearTimeout(state.idleTimer);
    this.sockets.clear();
  }

  private track(socket: Socket): SocketState {
    let state = this.sockets.get(socket);
    if (state) return state;
    state = { active: 0, open: new Set(), idleTimer: undefined };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      const current = this.sockets.get(socket);
      if (current?.idleTimer) clearTimeout(current.idleTimer);
      this.sockets.delete(socket);
    });
    if (this.draining) this.scheduleIdleClose(socket, state);
    return state;
  }

  private request(socket: Socket, response: ServerResponse): void {
    const state = this.track(socket);
    state.active += 1;
    state.open.add(response);
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = undefined;
    if (this.draining) response.setHeader('Connection', 'close');
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      state.active -= 1;
      state.open.delete(response);
      // A response sent with `Connection: close` makes Node end the socket itself.
      const closing = String(response.getHeader('connection')).toLowerCase() === 'close';
      if (this.draining && !closing && state.active === 0 && !socket.destroyed)
        this.scheduleIdleClose(socket, state);
    };
    response.once('finish', finish);
    response.once('close', finish);
  }

  private scheduleIdleClose(socket: Socket, state: SocketState): void {
    if (state.idleTimer) clearTimeout(state.idleTimer);
    if (this.idleGraceMs <= 0) {
      socket.destroy();
      return;
    }
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.active === 0) socket.destroy();
    }, this.idleGraceMs);
    state.idleTimer.unref();
  }
}
