import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionNotAvailableError } from '../session.errors.js';
import type { RequestSession } from './request-session.js';

/**
 * Each request's session slot, keyed by the Node request. A `WeakMap` rather
 * than a property: frameworks that swap the prototype of every request
 * (Express) make each property added to it afterwards cost a hidden-class
 * copy, and a slot lives exactly as long as its request anyway.
 */
const slots = new WeakMap<object, RequestSession>();

/** Makes a request's slot when something first asks for it. */
export type RequestSessionFactory = (req: IncomingMessage, res: ServerResponse) => RequestSession;

/** Where a request waiting for its slot keeps the factory and the response. */
const SLOT_FACTORY = Symbol('nest-hive.session.factory');
const SLOT_RESPONSE = Symbol('nest-hive.session.response');

interface DeferredSlot {
  [SLOT_FACTORY]?: RequestSessionFactory;
  [SLOT_RESPONSE]?: ServerResponse;
}

/** Gives `req` its session slot. */
export function attachRequestSession(req: IncomingMessage, slot: RequestSession): void {
  slots.set(req, slot);
}

/**
 * Gives `req` a slot that `factory` makes when something first asks for it,
 * so a request that never uses the session allocates nothing: two
 * properties on the Node request (whose prototype every request shares, so
 * V8 reuses one hidden class), where a slot and its `WeakMap` entry would
 * cost the garbage collector on every request. For Node requests only:
 * frameworks that swap the prototype of every request (Express) make each
 * added property a hidden-class copy.
 */
export function attachRequestSessionLazily(
  req: IncomingMessage,
  res: ServerResponse,
  factory: RequestSessionFactory,
): void {
  const deferred = req as IncomingMessage & DeferredSlot;
  deferred[SLOT_FACTORY] = factory;
  deferred[SLOT_RESPONSE] = res;
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
  if (typeof req !== 'object' || req === null) return undefined;
  const slot = slots.get(req);
  if (slot) return slot;
  const deferred = req as DeferredSlot;
  const factory = deferred[SLOT_FACTORY];
  const res = deferred[SLOT_RESPONSE];
  if (!factory || !res) return undefined;
  const made = factory(req as IncomingMessage, res);
  slots.set(req, made);
  return made;
}
