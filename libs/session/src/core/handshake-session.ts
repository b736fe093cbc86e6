import { type IncomingMessage, ServerResponse } from 'node:http';
import { HandshakeSessionError } from '../session.errors.js';
import type { Session } from '../session.interfaces.js';
import { RequestSession } from './request-session.js';
import { readCookieId } from './session-loading.js';
import type { SessionChannel } from './session-channel.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * A WebSocket handshake's session: no cookie can be sent, so it is never
 * created (a destroyed one stays unsaved), no response is held (changes are
 * written by `save()`), and `regenerate()` is refused.
 */
export const HANDSHAKE_CHANNEL: SessionChannel = {
  createsSessions: false,
  holdResponse(): void {},
  checkRegenerate(): void {
    throw new HandshakeSessionError('regenerate');
  },
};

/**
 * Loads the session the handshake request's cookie names, if the cookie is
 * valid and the session alive (the same signature, expiry and
 * absolute-timeout checks as an HTTP request's); `undefined` otherwise.
 * Nothing is committed on its own: call `save()`.
 *
 * @throws SessionStoreUnavailableError (rejected) when the store fails.
 */
export async function loadHandshakeSession(
  runtime: SessionRuntime,
  req: IncomingMessage,
): Promise<Session | undefined> {
  const session = new RequestSession(runtime, req, new ServerResponse(req), HANDSHAKE_CHANNEL);
  const id = readCookieId(session);
  if (id === undefined) return undefined;
  const record = await runtime.get(id);
  return record ? session.openStored(id, record) : undefined;
}
