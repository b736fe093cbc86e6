import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { type DrainableServer } from '../http/http-drainer.js';
import { sessionOwner } from '../sticky/engine-session-id.js';
import { type WorkerSocketHandover } from '../sticky/worker-socket-handover.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

/** Headers the serialized copy of a request replaces: its body is sent whole, with its length. */
const BODY_FRAMING = /^(?:content-length|transfer-encoding)$/i;

/** The engine.io session id in a request URL under the engine's path, if any. */
function sessionIdOf(url: string): string | undefined {
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get('sid') ?? undefined;
}

/** The request head as the client sent it (method, target, version, raw headers), with a new body length. */
function serializeHead(req: IncomingMessage, bodyLength: number | undefined): Buffer {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (bodyLength !== undefined && BODY_FRAMING.test(name)) continue;
    lines.push(`${name}: ${raw[i + 1] ?? ''}`);
  }
  if (bodyLength !== undefined && bodyLength > 0) lines.push(`Content-Length: ${bodyLength}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Settings of a sticky router. */
export interface StickyRouterSettings {
  /** This worker's id. */
  readonly workerId: number;
  /** The engine's path with its trailing slash, e.g. `/socket.io/`. */
  readonly path: string;
  /** Largest request body handed over (engine.io's `maxHttpBufferSize`); larger ones are answered here. */
  readonly maxBodyBytes: number;
}

/**
 * Sticky routing on a worker's HTTP server. Node's round robin spreads connections over the workers
 * as usual; a request under the engine.io path whose session id names another worker (see
 * `stickySessionId`) is handed to that worker, socket and all, through the primary: the bytes read
 * so far travel with it and the owner parses them first. The connection then stays with the owner.
 *
 * This is per request, not per connection: keep-alive pools (browsers, Node's global agent) carry
 * requests of several sessions, and API calls, on one connection. Every other request costs one
 * `startsWith` here. Wraps the server's `request` and `upgrade` listeners present when it is
 * installed (engine.io's and the app's); `uninstall()` puts them back.
 */
export class StickyRequestRouter {
  private requestListeners: RequestListener[] = [];
  private upgradeListeners: UpgradeListener[] = [];
  /** Sockets handed back as `final`: their next request is served here, whoever owns it. */
  private readonly finalSockets = new WeakSet<Socket>();
  private installed = false;
  private readonly onRequest: RequestListener = (req, res) => {
    const owner = this.shouldHandOver(req);
    if (owner !== undefined) this.handOverRequest(req, res, owner);
    else for (const listener of this.requestListeners) listener.call(this.server, req, res);
  };
  private readonly onUpgrade: UpgradeListener = (req, socket, head) => {
    const owner = this.shouldHandOver(req);
    if (owner !== undefined) {
      this.handover.handOver(socket, owner, Buffer.concat([serializeHead(req, undefined), head]));
      return;
    }
    for (const listener of this.upgradeListeners) listener.call(this.server, req, socket, head);
  };

  /**
   * @param server - the worker's HTTP server.
   * @param handover - the worker's socket handover.
   * @param settings - worker id, engine path and body bound.
   */
  constructor(
    private readonly server: DrainableServer,
    private readonly handover: WorkerSocketHandover,
    private readonly settings: StickyRouterSettings,
  ) {}

  /** Puts the router in front of the server's current listeners, and serves handed sockets. */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    this.requestListeners = this.server.listeners('request') as RequestListener[];
    this.upgradeListeners = this.server.listeners('upgrade') as UpgradeListener[];
    this.server.removeAllListeners('request');
    this.server.removeAllListeners('upgrade');
    this.server.on('request', this.onRequest);
    this.server.on('upgrade', this.onUpgrade);
    this.handover.onSocket((socket, data, final) => this.serve(socket, data, final));
  }

  /** Restores the listeners it wrapped. Idempotent. */
  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    this.server.off('request', this.onRequest);
    this.server.off('upgrade', this.onUpgrade);
    for (const listener of this.requestListeners) this.server.on('request', listener);
    for (const listener of this.upgradeListeners) this.server.on('upgrade', listener);
    this.requestListeners = [];
    this.upgradeListeners = [];
  }

  /** The worker to hand the request to, or `undefined` to serve it here. */
  private shouldHandOver(req: IncomingMessage): number | undefined {
    const url = req.url;
    if (url === undefined || !url.startsWith(this.settings.path)) return undefined;
    if (this.finalSockets.has(req.socket)) {
      this.finalSockets.delete(req.socket);
      return undefined;
    }
    const sid = sessionIdOf(url);
    const owner = sid === undefined ? undefined : sessionOwner(sid);
    return owner === undefined || owner === this.settings.workerId ? undefined : owner;
  }

  private handOverRequest(req: IncomingMessage, res: ServerResponse, owner: number): void {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!Number.isFinite(declared) || declared > this.settings.maxBodyBytes) {
      res.writeHead(413, { Connection: 'close' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > this.settings.maxBodyBytes) req.socket.destroy();
      else chunks.push(chunk);
    });
    req.once('end', () => {
      if (req.socket.destroyed) return;
      const body = Buffer.concat(chunks, length);
      this.handover.handOver(req.socket, owner, Buffer.concat([serializeHead(req, length), body]));
    });
    req.once('error', () => req.socket.destroy());
  }

  /** Serves a socket another worker handed over: the HTTP server parses `data` first. */
  private serve(socket: Socket, data: Buffer, final: boolean): void {
    if (final) this.finalSockets.add(socket);
    this.server.emit('connection', socket);
    socket.emit('data', data);
    socket.resume();
  }
}
