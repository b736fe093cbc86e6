import { type IncomingMessage, Server as HttpServer, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { type Socket } from 'node:net';

/** The servers a drainer can work with. */
export type DrainableServer = HttpServer | HttpsServer;

/** Whether `value` is a Node HTTP(S) server. */
export function isDrainableServer(value: unknown): value is DrainableServer {
  return value instanceof HttpServer || value instanceof HttpsServer;
}

/** How often a draining server looks for event streams to close. */
const EVENT_STREAM_SWEEP_MS = 200;

interface SocketState {
  /** Requests in flight on the socket. */
  active: number;
  /** Responses in flight. */
  readonly responses: Set<ServerResponse>;
  /** The in-flight responses whose request asked for an event stream (`Accept: text/event-stream`). */
  readonly eventStreams: WeakSet<ServerResponse>;
  idleTimer: NodeJS.Timeout | undefined;
  /** When the socket last had nothing in flight (ms since epoch). */
  idleSince: number;
}

/**
 * Lets a leaving worker finish cleanly over keep-alive connections.
 *
 * Closing idle keep-alive sockets on the spot races with a request the client is just sending on
 * one of them, which then fails with a reset. So while draining:
 * - every response still to be written, and every request that arrives, is answered with
 *   `Connection: close`: Node closes that connection right after the response;
 * - a connection with nothing in flight is closed once it has been idle for `idleGraceMs`:
 *   at once if it already was, otherwise when the grace runs out (a request sent meanwhile is
 *   answered, with `Connection: close`). A shutdown uses a short grace, so long-idle
 *   connections close at once while one that just answered a request is not reset under a
 *   client that is sending its next one;
 * - Node's own "close idle connections" step of `server.close()` is held off, so `app.close()`
 *   stops accepting and then waits for the connections above to end;
 * - Server-Sent Events streams (`text/event-stream`) never end on their own, so their connections
 *   are closed (Nest sees a client disconnect and unsubscribes); `EventSource` clients reconnect,
 *   to another worker.
 */
export class HttpDrainer {
  private readonly sockets = new Map<Socket, SocketState>();
  private draining = false;
  private idleGraceMs = 0;
  private streamSweeper: NodeJS.Timeout | undefined;
  private readonly onConnection = (socket: Socket): void => {
    this.track(socket);
  };
  private readonly onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const accept = request.headers.accept;
    this.request(
      request.socket,
      response,
      typeof accept === 'string' && accept.includes('text/event-stream'),
    );
  };

  /** An upgraded connection (a WebSocket) is no HTTP connection any more: its owner closes it. */
  private readonly onUpgrade = (_request: IncomingMessage, socket: Socket): void => {
    const state = this.sockets.get(socket);
    if (state?.idleTimer) clearTimeout(state.idleTimer);
    this.sockets.delete(socket);
  };

  /** @param server - the HTTP server to watch; call before it accepts connections when possible. */
  constructor(private readonly server: DrainableServer) {
    server.on('connection', this.onConnection);
    server.prependListener('request', this.onRequest);
    server.prependListener('upgrade', this.onUpgrade);
  }

  /** Open connections known to the drainer. */
  get connections(): number {
    return this.sockets.size;
  }

  /**
   * Starts draining. Idempotent.
   *
   * @param idleGraceMs - how long a connection may have been idle before it is closed.
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
      for (const response of state.responses) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
      }
      if (state.active === 0) this.scheduleIdleClose(socket, state);
    }
    this.closeEventStreams();
    // An event stream may still start on a kept-alive connection during the idle grace.
    this.streamSweeper = setInterval(() => this.closeEventStreams(), EVENT_STREAM_SWEEP_MS);
    this.streamSweeper.unref();
  }

  /** Stops watching the server and restores it. */
  dispose(): void {
    if (this.streamSweeper) clearInterval(this.streamSweeper);
    this.streamSweeper = undefined;
    this.server.off('connection', this.onConnection);
    this.server.off('request', this.onRequest);
    this.server.off('upgrade', this.onUpgrade);
    Reflect.deleteProperty(this.server, 'closeIdleConnections');
    for (const state of this.sockets.values()) if (state.idleTimer) clearTimeout(state.idleTimer);
    this.sockets.clear();
  }

  private closeEventStreams(): void {
    for (const [socket, state] of this.sockets) {
      for (const response of state.responses) {
        const type = response.getHeader('content-type');
        const isEventStream =
          state.eventStreams.has(response) ||
          (typeof type === 'string' && type.startsWith('text/event-stream'));
        if (response.headersSent && isEventStream) {
          socket.destroy();
          break;
        }
      }
    }
  }

  private track(socket: Socket): SocketState {
    let state = this.sockets.get(socket);
    if (state) return state;
    state = {
      active: 0,
      responses: new Set(),
      eventStreams: new WeakSet(),
      idleTimer: undefined,
      idleSince: Date.now(),
    };
    this.sockets.set(socket, state);
    socket.once('close', () => {
      const current = this.sockets.get(socket);
      if (current?.idleTimer) clearTimeout(current.idleTimer);
      this.sockets.delete(socket);
    });
    if (this.draining) this.scheduleIdleClose(socket, state);
    return state;
  }

  private request(socket: Socket, response: ServerResponse, eventStream: boolean): void {
    const state = this.track(socket);
    state.active += 1;
    state.responses.add(response);
    if (eventStream) state.eventStreams.add(response);
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = undefined;
    if (this.draining) response.setHeader('Connection', 'close');
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      state.active -= 1;
      state.responses.delete(response);
      if (state.active === 0) state.idleSince = Date.now();
      // A response sent with `Connection: close` makes Node end the socket itself.
      const closing = String(response.getHeader('connection')).toLowerCase() === 'close';
      if (this.draining && !closing && state.active === 0 && !socket.destroyed)
        this.scheduleIdleClose(socket, state);
    };
    response.once('finish', finish);
    response.once('close', finish);
  }

  /** Closes an idle connection once it has been idle for the grace period (at once if it already has). */
  private scheduleIdleClose(socket: Socket, state: SocketState): void {
    if (state.idleTimer) clearTimeout(state.idleTimer);
    const wait = this.idleGraceMs - (Date.now() - state.idleSince);
    if (wait <= 0) {
      socket.destroy();
      return;
    }
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.active === 0) socket.destroy();
    }, wait);
    state.idleTimer.unref();
  }
}
