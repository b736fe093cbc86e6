import { IncomingMessage } from 'node:http';
import type { Session } from '../session.interfaces.js';

/** The session object of each request published through a prototype accessor. */
const sessionOfRequest = new WeakMap<object, Session>();
/** Request prototypes that carry the `session` accessor. */
const prototypesWithAccessor = new WeakSet<object>();

/**
 * Sets `request.session`. Frameworks that swap the prototype of every
 * request (Express sets `app.request`) make each property added to a request
 * afterwards cost a hidden-class copy of several microseconds; for those,
 * `session` becomes an accessor on that prototype, once, reading a `WeakMap`
 * (so it reads `undefined` on requests whose session was never loaded, as
 * before). Code that assigns `req.session` itself gets an ordinary property.
 * Any other request gets an ordinary property.
 */
export function publishSession(request: object, session: Session): void {
  const prototype: unknown = Object.getPrototypeOf(request);
  const ownProperty = Object.prototype.hasOwnProperty.call(request, 'session');
  if (!ownProperty && typeof prototype === 'object' && prototype !== null) {
    if (prototypesWithAccessor.has(prototype) || defineAccessor(request, prototype)) {
      sessionOfRequest.set(request, session);
      return;
    }
  }
  (request as { session?: Session }).session = session;
}

function defineAccessor(request: object, prototype: object): boolean {
  if (prototype === IncomingMessage.prototype || prototype === Object.prototype) return false;
  if (!Object.isExtensible(prototype) || 'session' in request) return false;
  Object.defineProperty(prototype, 'session', {
    configurable: true,
    enumerable: false,
    get(this: object): Session | undefined {
      return sessionOfRequest.get(this);
    },
    set(this: object, value: unknown): void {
      Object.defineProperty(this, 'session', { value, writable: true, configurable: true, enumerable: true });
    },
  });
  prototypesWithAccessor.add(prototype);
  return true;
}
