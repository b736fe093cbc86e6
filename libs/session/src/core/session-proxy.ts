import { ReservedSessionKeyError } from '../session.errors.js';
import type { Session, SessionCookie } from '../session.interfaces.js';
import type { SessionDataRecord } from '../session-record.interface.js';
import { emptyRecord } from './session-data-diff.js';

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

/** The session API methods a proxy exposes. */
export type SessionMethodName = 'regenerate' | 'destroy' | 'save' | 'reload' | 'touch';

/** What the proxies need from the request's session. */
export interface SessionHandle {
  /** The session id. */
  readonly id: string;
  /** Whether the session is unsaved. */
  readonly isNew: boolean;
  /** The data object of the request's current session (a new one after each `regenerate()`). */
  currentData(): SessionDataRecord;
  cookie(): SessionCookie;
  /** The API method `name`, bound once per request and shared by its proxies. */
  method(name: SessionMethodName): unknown;
  /** Hears that a session object replaced by `regenerate()` was changed (the change is not saved). */
  noteDetachedWrite(): void;
  /** Hears that the data may change: a key was set or deleted. */
  noteMayChange(): void;
  /** Hears that a value that can be changed in place (an object) was handed out. */
  noteHandedOut(): void;
}

/** Whether handing out `value` lets code change the session without a trap seeing it. */
function changeableInPlace(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function guard(key: string | symbol): void {
  if (typeof key === 'string' && RESERVED_KEYS.has(key)) throw new ReservedSessionKeyError(key);
}

function reservedIn(key: string | symbol): boolean {
  return typeof key === 'string' && RESERVED_KEYS.has(key) && key !== 'then';
}

/** Answers an API name: `id`, `isNew`, `cookie`, the methods; `then` is `undefined`. */
function member(handle: SessionHandle, key: string, frozen: FrozenIdentity | undefined): unknown {
  switch (key) {
    case 'id':
      return frozen ? frozen.id : handle.id;
    case 'isNew':
      return frozen ? frozen.isNew : handle.isNew;
    case 'cookie':
      return handle.cookie();
    case 'then':
      return undefined;
    default:
      return handle.method(key as SessionMethodName);
  }
}

/** Id and state of a session that `regenerate()` replaced. */
interface FrozenIdentity {
  readonly id: string;
  readonly isNew: boolean;
}

/**
 * Traps of the object `@Session()` and `SessionService.get()` hand out: it
 * always shows the request's current session, so a handler that calls
 * `await session.regenerate()` keeps using the same variable. Its target is
 * an empty placeholder; every trap goes to the current data object.
 */
class LiveSessionHandler implements ProxyHandler<SessionDataRecord> {
  constructor(private readonly handle: SessionHandle) {}

  get(_target: SessionDataRecord, key: string | symbol): unknown {
    if (typeof key === 'string' && RESERVED_KEYS.has(key)) return member(this.handle, key, undefined);
    const value = Reflect.get(this.handle.currentData(), key) as unknown;
    if (changeableInPlace(value)) this.handle.noteHandedOut();
    return value;
  }

  set(_target: SessionDataRecord, key: string | symbol, value: unknown): boolean {
    guard(key);
    this.handle.noteMayChange();
    return Reflect.set(this.handle.currentData(), key, value);
  }

  defineProperty(_target: SessionDataRecord, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    guard(key);
    this.handle.noteMayChange();
    // Configurable, as the placeholder target never holds the key (a proxy invariant).
    return Reflect.defineProperty(this.handle.currentData(), key, { ...descriptor, configurable: true });
  }

  deleteProperty(_target: SessionDataRecord, key: string | symbol): boolean {
    guard(key);
    this.handle.noteMayChange();
    return Reflect.deleteProperty(this.handle.currentData(), key);
  }

  has(_target: SessionDataRecord, key: string | symbol): boolean {
    return reservedIn(key) || Reflect.has(this.handle.currentData(), key);
  }

  ownKeys(): Array<string | symbol> {
    return Reflect.ownKeys(this.handle.currentData());
  }

  getOwnPropertyDescriptor(_target: SessionDataRecord, key: string | symbol): PropertyDescriptor | undefined {
    const descriptor = Reflect.getOwnPropertyDescriptor(this.handle.currentData(), key);
    if (!descriptor) return undefined;
    if (changeableInPlace(descriptor.value)) this.handle.noteHandedOut();
    descriptor.configurable = true;
    return descriptor;
  }

  preventExtensions(): boolean {
    return false;
  }
}

/**
 * Traps of the object on `req.session`, bound to one generation of the
 * session's data. Once `regenerate()` replaces it, it keeps the old id and
 * data (what express-session users and Passport's `keepSessionInfo` expect of
 * a session object read before), its writes are no longer saved, and its
 * methods act on the request's current session.
 */
class SessionViewHandler implements ProxyHandler<SessionDataRecord> {
  private frozen: FrozenIdentity | undefined;

  constructor(private readonly handle: SessionHandle) {}

  /** Detaches the view from the request's session, keeping its identity as it is now. */
  retire(): void {
    this.frozen ??= { id: this.handle.id, isNew: this.handle.isNew };
  }

  get(target: SessionDataRecord, key: string | symbol): unknown {
    if (typeof key === 'string' && RESERVED_KEYS.has(key)) return member(this.handle, key, this.frozen);
    const value = Reflect.get(target, key) as unknown;
    if (!this.frozen && changeableInPlace(value)) this.handle.noteHandedOut();
    return value;
  }

  set(target: SessionDataRecord, key: string | symbol, value: unknown): boolean {
    guard(key);
    this.noteWrite();
    return Reflect.set(target, key, value);
  }

  defineProperty(target: SessionDataRecord, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    guard(key);
    this.noteWrite();
    return Reflect.defineProperty(target, key, descriptor);
  }

  deleteProperty(target: SessionDataRecord, key: string | symbol): boolean {
    guard(key);
    this.noteWrite();
    return Reflect.deleteProperty(target, key);
  }

  getOwnPropertyDescriptor(target: SessionDataRecord, key: string | symbol): PropertyDescriptor | undefined {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    if (!this.frozen && changeableInPlace(descriptor?.value)) this.handle.noteHandedOut();
    return descriptor;
  }

  private noteWrite(): void {
    if (this.frozen) this.handle.noteDetachedWrite();
    else this.handle.noteMayChange();
  }

  has(target: SessionDataRecord, key: string | symbol): boolean {
    return reservedIn(key) || Reflect.has(target, key);
  }
}

/**
 * The session object `@Session()` and `SessionService.get()` return: the
 * data keys of the request's current session as properties, with the API
 * (`id`, `isNew`, `cookie`, the methods) beside them: never enumerable, never
 * serialized, never overwritable. `then` reads as `undefined`, so a session
 * is never mistaken for a promise.
 */
export function createLiveSession(handle: SessionHandle): Session {
  return new Proxy(emptyRecord(), new LiveSessionHandler(handle)) as unknown as Session;
}

/** A session object bound to one generation of data, and the way to detach it. */
export interface SessionView {
  readonly session: Session;
  /** Called when `regenerate()` replaces this generation. */
  retire(): void;
}

/**
 * The object put on `req.session` for one generation of the session's data:
 * the same data and API as {@link createLiveSession}, but it stays with its
 * generation when `regenerate()` replaces it, as express-session's do.
 */
export function createSessionView(data: SessionDataRecord, handle: SessionHandle): SessionView {
  const handler = new SessionViewHandler(handle);
  return {
    session: new Proxy(data, handler) as unknown as Session,
    retire: () => handler.retire(),
  };
}
