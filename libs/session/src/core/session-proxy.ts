import { ReservedSessionKeyError } from '../session.errors.js';
import type { RegenerateOptions, Session, SessionCookie } from '../session.interfaces.js';
import type { SessionDataRecord } from '../session-record.interface.js';

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

/** What the proxy needs from the request's session. */
export interface SessionHandle {
  readonly sessionId: string;
  readonly sessionIsNew: boolean;
  cookie(): SessionCookie;
  regenerate(options?: RegenerateOptions): Promise<void>;
  destroy(): Promise<void>;
  save(): Promise<void>;
  reload(): Promise<void>;
  touch(): Promise<void>;
}

type MethodName = 'regenerate' | 'destroy' | 'save' | 'reload' | 'touch';

/**
 * The proxy's traps for one session: data keys read and write through to the
 * data object, API names are answered from the handle (methods bound on first
 * use), and API names can never be written.
 */
class SessionProxyHandler implements ProxyHandler<SessionDataRecord> {
  private methods: Partial<Record<MethodName, unknown>> | undefined;

  constructor(private readonly handle: SessionHandle) {}

  get(target: SessionDataRecord, key: string | symbol): unknown {
    if (typeof key === 'string' && RESERVED_KEYS.has(key)) return this.member(key);
    return Reflect.get(target, key) as unknown;
  }

  set(target: SessionDataRecord, key: string | symbol, value: unknown): boolean {
    guard(key);
    return Reflect.set(target, key, value);
  }

  defineProperty(target: SessionDataRecord, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    guard(key);
    return Reflect.defineProperty(target, key, descriptor);
  }

  deleteProperty(target: SessionDataRecord, key: string | symbol): boolean {
    guard(key);
    return Reflect.deleteProperty(target, key);
  }

  has(target: SessionDataRecord, key: string | symbol): boolean {
    return (typeof key === 'string' && RESERVED_KEYS.has(key) && key !== 'then') || Reflect.has(target, key);
  }

  private member(key: string): unknown {
    switch (key) {
      case 'id':
        return this.handle.sessionId;
      case 'isNew':
        return this.handle.sessionIsNew;
      case 'cookie':
        return this.handle.cookie();
      case 'then':
        return undefined;
      default: {
        const name = key as MethodName;
        const methods = (this.methods ??= {});
        return (methods[name] ??= this.handle[name].bind(this.handle));
      }
    }
  }
}

function guard(key: string | symbol): void {
  if (typeof key === 'string' && RESERVED_KEYS.has(key)) throw new ReservedSessionKeyError(key);
}

/**
 * Wraps a session's data so that its keys read and write as properties while
 * the API (`id`, `isNew`, `cookie`, the methods) sits beside them: never
 * enumerable, never serialized, never overwritable. `then` reads as
 * `undefined`, so a session is never mistaken for a promise.
 */
export function createSessionProxy(data: SessionDataRecord, handle: SessionHandle): Session {
  return new Proxy(data, new SessionProxyHandler(handle)) as unknown as Session;
}
