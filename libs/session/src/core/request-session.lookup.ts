import type { IncomingMessage } from 'node:http';
import { SessionNotAvailableError } from '../session.errors.js';
import type { RequestSession } from './request-session.js';

/**
 * Each request's session slot, keyed by the Node request. A `WeakMap` rather
 * than a property: frameworks that swap the prototype of every request
 * (Express) make each property added to it afterwards cost a hidden-class
 * copy, and a slot lives exactly as long as its request anyway.
 */
const slots = new WeakMap<object, RequestSession>();

/** Gives `req` its session slot. */
export function attachRequestSession(req: IncomingMessage, slot: RequestSession): void {
  slots.set(req, slot);
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
  return typeof req === 'object' && req !== null ? slots.get(req) : undefined;
}
