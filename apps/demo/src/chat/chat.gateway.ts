import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { SessionService, SessionSockets } from '@nest-hive/session';
import { type Server, type Socket } from 'socket.io';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';
import { CHAT_MAX_HTTP_BUFFER_BYTES, CHAT_MAX_TEXT_LENGTH, CHAT_TRANSPORTS } from './chat.constants.js';
import '../session-data.js';

/** What every socket of the demo carries in `socket.data` (visible to `fetchSockets()` on any worker). */
export interface ChatSocketData extends ProcessIdentity {
  /** The session's user when the socket connected, or `null`. */
  user: string | null;
}

/** The `chat` event every socket receives. */
export interface ChatMessage extends ProcessIdentity {
  text: string;
  user: string | null;
}

/** The text of a `chat` event body, or `undefined` when it is not `{ text }` with 1-500 characters. */
export function chatText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const text: unknown = (body as { text?: unknown }).text;
  if (typeof text !== 'string' || text.length === 0 || text.length > CHAT_MAX_TEXT_LENGTH) return undefined;
  return text;
}

/**
 * The demo's socket.io gateway, at the default path and namespace `/`:
 * - on connection: `welcome` `{ user, pid, workerId }` (`user` from the session the handshake
 *   cookie names, as `POST /api/login` set it, else `null`);
 * - `chat` `{ text }` (1-500 characters) is emitted to every socket on every worker as `chat`
 *   `{ text, user, pid, workerId }`, naming the worker that received it; anything else gets an
 *   `error` event and nothing is sent. The user is read from the session at each message, so a
 *   logout over HTTP shows at the next one.
 *
 * Sockets follow their session (`SessionSockets`): when the session of a socket's handshake cookie
 * ends (logout, login on it, revoked from another device through `/api/auth/sessions`), the socket
 * is disconnected on whichever worker (or machine, with `SESSION_STORE=redis`) holds it.
 */
@WebSocketGateway({ maxHttpBufferSize: CHAT_MAX_HTTP_BUFFER_BYTES, transports: CHAT_TRANSPORTS })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger('ChatGateway');
  /** The socket.io server (its adapter spans the workers). */
  @WebSocketServer() server!: Server;

  /**
   * @param sessions - reads the session of a socket's handshake.
   * @param sessionSockets - disconnects the sockets of a session that ends.
   */
  constructor(
    private readonly sessions: SessionService,
    private readonly sessionSockets: SessionSockets,
  ) {}

  /** Ties every socket to its session, so a session that ends takes its sockets with it. */
  afterInit(server: Server): void {
    this.sessionSockets.bind(server);
  }

  /** Greets a new socket with who it is and which worker holds it. */
  async handleConnection(client: Socket): Promise<void> {
    const user = await this.userOf(client);
    const data: ChatSocketData = { user, ...processIdentity() };
    client.data = data;
    client.emit('welcome', data);
  }

  /** Relays a chat line to every socket of every worker. */
  @SubscribeMessage('chat')
  async chat(@ConnectedSocket() client: Socket, @MessageBody() body: unknown): Promise<void> {
    const text = chatText(body);
    if (text === undefined) {
      client.emit('error', { message: `chat takes { text } with 1 to ${CHAT_MAX_TEXT_LENGTH} characters.` });
      return;
    }
    const message: ChatMessage = { text, user: await this.userOf(client), ...processIdentity() };
    this.server.emit('chat', message);
  }

  private async userOf(client: Socket): Promise<string | null> {
    try {
      const session = await this.sessions.fromHandshake(client.request);
      return session?.user ?? null;
    } catch (error) {
      this.logger.warn(
        `Session unavailable for a socket: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
  }
}
