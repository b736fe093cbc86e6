import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionNotAvailableError } from '../session.errors.js';
import type { RequestSession } from './request-session.js';

/** Makes a request's slot when something first asks for it. */
export type RequestSessionFactory = (req: IncomingMessage, res: ServerResponse) => RequestSession;

/**
 * Each request's session slot, keyed by the Node request, for requests that
 * were not prepared before a framework got them (see
 * {@link prepareRequestSlot}). A `WeakMap` rather than a property: frameworks
 * that swap the prototype of every request (Express) make each property added
 * to it afterwards cost a hidden-class copy.
 */
const slots = new WeakMap<object, RequestSession>();

/** Where a prepared request keeps its slot (or, until it is made, the factory) and its response. */
const SLOT = Symbol('nest-hive.session.slot');
const SLOT_RESPONSE = Symbol('nest-hive.session.response');

interface PreparedRequest {
  [SLOT]?: RequestSession | RequestSessionFactory;
  [SLOT_RESPONSE]?: ServerResponse;
}

/** Gives `req` its session slot (a request that was not prepared). */
export function attachRequestSession(req: IncomingMessage, slot: RequestSession): void {
  slots.set(req, slot);
}

/**
 * Gives `req` a slot that `factory` makes when something first asks for it,
 * so a request that never uses the session allocates nothing: two
 * properties on the Node request, set when the server receives it, before a
 * framework swaps its prototype (Express does), while it still shares its
 * hidden class with every other request; the slot, once made, takes the
 * factory's place.
 */
export function prepareRequestSlot(
  req: IncomingMessage,
  res: ServerResponse,
  factory: RequestSessionFactory,
): void {
  const prepared = req as IncomingMessage & PreparedRequest;
  prepared[SLOT] = factory;
  prepared[SLOT_RESPONSE] = res;
}

/** Whether `req` was prepared by {@link prepareRequestSlot}. */
export function isPreparedRequest(req: IncomingMessage): boolean {
  return (req as IncomingMessage & PreparedRequest)[SLOT] !== undefined;
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
  const prepared = req as PreparedRequest;
  const held = prepared[SLOT];
  if (held === undefined) return slots.get(req);
  if (typeof held !== 'function') return held;
  const res = prepared[SLOT_RESPONSE];
  if (!res) return undefined;
  const made = held(req as IncomingMessage, res);
  prepared[SLOT] = made;
  return made;
}

/** The request's session slot if something made it (it never makes one); `undefined` otherwise. */
export function madeRequestSessionOf(req: unknown): RequestSession | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const held = (req as PreparedRequest)[SLOT];
  if (held === undefined) return slots.get(req);
  return typeof held === 'function' ? undefined : held;
}
