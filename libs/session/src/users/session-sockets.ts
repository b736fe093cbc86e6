import type { IncomingMessage } from 'node:http';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { SessionRuntime } from '../core/session-runtime.js';
import { sessionHandle } from './session-handle.js';

/** The part of a socket.io `Socket` that {@link SessionSockets} uses. */
export interface SessionBoundSocket {
  /** The handshake request (its cookie names the session). */
  readonly request: IncomingMessage;
  /** Joins a room. */
  join(room: string): unknown;
}

/** The part of a socket.io `Server` or `Namespace` that {@link SessionSockets} uses. */
export interface SessionSocketServer {
  /** socket.io's `connection` event. */
  on(event: 'connection', listener: (socket: SessionBoundSocket) => void): unknown;
  /** The sockets of a room, on every node of the server's adapter. */
  in(room: string): { disconnectSockets(close?: boolean): void };
}

/** The room of the sockets opened with the session of handle `handle`. */
export function sessionRoom(handle: string): string {
  return `nest-hive:session:${handle}`;
}

/**
 * Closes the sockets of a session when it ends: destroyed, regenerated (a
 * login), or revoked through `UserSessions`. Each socket whose handshake
 * carries a valid session cookie joins its session's room; an ending in this
 * process disconnects that room through the server's adapter, so with
 * `ClusterIoAdapter` the sockets go on every worker and every machine.
 *
 * @example
 * ```ts
 * @WebSocketGateway()
 * export class ChatGateway implements OnGatewayInit {
 *   constructor(private readonly sessionSockets: SessionSockets) {}
 *   afterInit(server: Server) {
 *     this.sessionSockets.bind(server);
 *   }
 * }
 * ```
 */
@Injectable()
export class SessionSockets implements OnModuleDestroy {
  private readonly subscriptions: Subscription[] = [];

  /** @param runtime - the module's runtime (cookie codec, session endings). */
  constructor(private readonly runtime: SessionRuntime) {}

  /** Ties `server`'s sockets to their sessions, from now until the module is destroyed. */
  bind(server: SessionSocketServer): void {
    server.on('connection', (socket) => {
      const handle = this.handleOf(socket.request);
      if (handle !== undefined) void socket.join(sessionRoom(handle));
    });
    this.subscriptions.push(
      this.runtime.owners.ended$.subscribe((handle) =>
        server.in(sessionRoom(handle)).disconnectSockets(true),
      ),
    );
  }

  /** @inheritdoc */
  onModuleDestroy(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  private handleOf(request: IncomingMessage): string | undefined {
    const reading = this.runtime.codec.read(request.headers.cookie);
    return reading.kind === 'valid' ? sessionHandle(reading.id) : undefined;
  }
}
