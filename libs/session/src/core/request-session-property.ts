import { IncomingMessage } from 'node:http';
import type { Session } from '../session.interfaces.js';

/** What `req.session` reads: the request's session object, made when first asked for. */
export interface PublishedSession {
  /** The session object for the request's current session data. */
  requestSession(): Session;
}

/**
 * The source of each request's `session`, for requests published through a
 * prototype accessor that were not prepared (see {@link prepareSessionProperty}).
 */
const sourceOfRequest = new WeakMap<object, PublishedSession>();
/** Where a prepared request keeps its source: `null` until it has one. */
const SOURCE = Symbol('nest-hive.session.source');

interface PreparedRequest {
  [SOURCE]?: PublishedSession | null;
}

/**
 * Gives `request` a place for its session source while it still shares its
 * hidden class with every other request (when the server receives it, before
 * a framework swaps its prototype): publishing is then a plain store.
 */
export function prepareSessionProperty(request: IncomingMessage): void {
  (request as IncomingMessage & PreparedRequest)[SOURCE] = null;
}

function sourceOf(request: object): PublishedSession | undefined {
  const prepared = (request as PreparedRequest)[SOURCE];
  return prepared === null ? undefined : (prepared ?? sourceOfRequest.get(request));
}
/** Request prototypes that carry the `session` accessor. */
const prototypesWithAccessor = new WeakSet<object>();

/**
 * Sets `request.session` to what `source` gives. Frameworks that swap the
 * prototype of every request (Express sets `app.request`) make each property
 * added to a request afterwards cost a hidden-class copy of several
 * microseconds; for those, `session` becomes an accessor on that prototype,
 * once, reading the request's prepared place or a `WeakMap` (so it reads `undefined` on requests whose
 * session was never loaded, as before), and the session object is only made
 * when code reads `req.session`. Code that assigns `req.session` itself gets
 * an ordinary property. Any other request gets an ordinary property, set now:
 * call this again when the source's session object changes (`regenerate()`).
 */
export function publishSession(request: object, source: PublishedSession): void {
  const prototype: unknown = Object.getPrototypeOf(request);
  const ownProperty = Object.prototype.hasOwnProperty.call(request, 'session');
  if (!ownProperty && typeof prototype === 'object' && prototype !== null) {
    if (prototypesWithAccessor.has(prototype) || defineAccessor(request, prototype)) {
      const prepared = request as PreparedRequest;
      if (prepared[SOURCE] === undefined) sourceOfRequest.set(request, source);
      else prepared[SOURCE] = source;
      return;
    }
  }
  (request as { session?: Session }).session = source.requestSession();
}

function defineAccessor(request: object, prototype: object): boolean {
  if (prototype === IncomingMessage.prototype || prototype === Object.prototype) return false;
  if (!Object.isExtensible(prototype) || 'session' in request) return false;
  Object.defineProperty(prototype, 'session', {
    configurable: true,
    enumerable: false,
    get(this: object): Session | undefined {
      return sourceOf(this)?.requestSession();
    },
    set(this: object, value: unknown): void {
      Object.defineProperty(this, 'session', { value, writable: true, configurable: true, enumerable: true });
    },
  });
  prototypesWithAccessor.add(prototype);
  return true;
}
