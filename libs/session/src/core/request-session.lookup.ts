import type { IncomingMessage } from 'node:http';
import { SESSION_SLOT } from '../session.constants.js';
import { SessionNotAvailableError } from '../session.errors.js';
import type { RequestSession } from './request-session.js';

/** A request the session middleware has seen. */
export interface SessionCarrier extends IncomingMessage {
  [SESSION_SLOT]?: RequestSession;
}

/**
 * The request's session slot, from a Node request or a framework request
 * that wraps one in `raw` (Fastify).
 *
 * @throws SessionNotAvailableError when the middleware did not run for it.
 */
export function requestSessionOf(req: unknown): RequestSession {
  const slot = slotOf(req) ?? slotOf((req as { raw?: unknown } | null | undefined)?.raw);
  if (!slot) throw new SessionNotAvailableError();
  return slot;
}

function slotOf(req: unknown): RequestSession | undefined {
  return typeof req === 'object' && req !== null ? (req as SessionCarrier)[SESSION_SLOT] : undefined;
}
