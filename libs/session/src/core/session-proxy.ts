import { ReservedSessionKeyError } from '../session.errors.js';
import type { Session } from '../session.interfaces.js';
import type { SessionDataRecord } from '../session-record.interface.js';
import type { SessionApiImplementation } from './request-session.js';

const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'id',
  'isNew',
  'cookie',
  'regenerate',
  'destroy',
  'save',
  'reload',
  'touch',
  'then',
]);

/** Whether `key` belongs to the session API and can never be a data key. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/**
 * Wraps a session's data so that its keys read and write as properties while
 * the API (`id`, `isNew`, `cookie`, the methods) sits beside them: never
 * enumerable, never serialized, never overwritable. `then` reads as
 * `undefined`, so a session is never mistaken for a promise.
 */
export function createSessionProxy(data: SessionDataRecord, api: SessionApiImplementation): Session {
  const members: Record<string, unknown> = {
    cookie: api.cookie,
    regenerate: api.regenerate,
    destroy: api.destroy,
    save: api.save,
    reload: api.reload,
    touch: api.touch,
    then: undefined,
  };
  const guard = (key: string | symbol): void => {
    if (typeof key === 'string' && RESERVED_KEYS.has(key)) throw new ReservedSessionKeyError(key);
  };
  const handler: ProxyHandler<SessionDataRecord> = {
    get(target, key) {
      if (typeof key === 'string' && RESERVED_KEYS.has(key)) {
        if (key === 'id') return api.id();
        if (key === 'isNew') return api.isNew();
        return members[key];
      }
      return Reflect.get(target, key) as unknown;
    },
    set(target, key, value) {
      guard(key);
      return Reflect.set(target, key, value);
    },
    defineProperty(target, key, descriptor) {
      guard(key);
      return Reflect.defineProperty(target, key, descriptor);
    },
    deleteProperty(target, key) {
      guard(key);
      return Reflect.deleteProperty(target, key);
    },
    has(target, key) {
      return (
        (typeof key === 'string' && RESERVED_KEYS.has(key) && key !== 'then') || Reflect.has(target, key)
      );
    },
  };
  return new Proxy(data, handler) as unknown as Session;
}
