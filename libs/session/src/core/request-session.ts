import type { IncomingMessage, ServerResponse } from 'node:http';
import { HandshakeSessionError, InvalidSessionIdError, SessionTooLargeError } from '../session.errors.js';
import { SESSION_ID_PATTERN } from '../session.constants.js';
import type { RegenerateOptions, Session, SessionCookie } from '../session.interfaces.js';
import type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredSessionRecord,
} from '../session-record.interface.js';
import {
  diffEntries,
  emptyRecord,
  entriesDiffer,
  materialize,
  serializedSize,
  serializeEntries,
  type SerializedEntries,
} from './session-data-diff.js';
import { ResponseCommitGate, type CommitParticipant } from './response-commit-gate.js';
import { appendSetCookie, type HeaderTarget } from './set-cookie-header.js';
import { publishSession, type PublishedSession } from './request-session-property.js';
import {
  createLiveSession,
  createSessionView,
  isReservedKey,
  type SessionHandle,
  type SessionMethodName,
  type SessionView,
} from './session-proxy.js';
import type { SessionRuntime } from './session-runtime.js';
import { withCallback, type NodeCallback } from './session-callback.js';

/** The store work one commit needs. */
type StoreWork =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly entries: SerializedEntries }
  | { readonly kind: 'update'; readonly entries: SerializedEntries }
  | { readonly kind: 'touch' };

const NO_WORK: StoreWork = { kind: 'none' };

/** The serialized state of a session with no data; shared, never changed (snapshots are replaced, not mutated). */
const NO_ENTRIES: SerializedEntries = new Map();

/**
 * One request's session: created by the middleware for every request, it
 * costs nothing until something asks for the session. Loading reads the
 * cookie and (only then) the store; the commit before the response writes
 * only what the request changed, and the cookie only when it must.
 */
export class RequestSession implements CommitParticipant, SessionHandle, PublishedSession {
  private loading: Promise<Session> | undefined;
  /** What `@Session()` and `SessionService.get()` return: always the current session. */
  private live: Session | undefined;
  /** What `req.session` holds, made when first read: replaced on `regenerate()`. */
  private view: SessionView | undefined;
  /** The framework's request object, when it is not the Node request itself (Fastify). */
  private frameworkRequest: object | undefined;
  private cookieViewCache: SessionCookie | undefined;
  private methods: Partial<Record<SessionMethodName, (...args: unknown[]) => Promise<void>>> | undefined;
  /** The response is held for the commit (see {@link watchResponse}). */
  private watching = false;
  /** The head's commit ran before the framework sent the head, and nothing may have changed since. */
  private headCommitted = false;
  /** A commit failed and the client gets the error response: nothing more is committed. */
  private commitGaveUp = false;
  /** An object from the data was handed out: code may change it in place, unseen. */
  private handedOut = false;

  private id = '';
  private isNew = true;
  /** The current generation's data; `regenerate()` starts a new object. */
  private data: SessionDataRecord = emptyRecord();
  /** The data as the store holds it, one JSON text per key. */
  private snapshot: SerializedEntries = NO_ENTRIES;
  private createdAt = 0;
  private expiresAt = 0;
  /** Cookie lifetime this session carries (stored), `undefined` when it follows the options. */
  private storedMaxAge: number | null | undefined;
  private maxAgeChanged = false;
  /** The client sent a cookie of our name, valid or not. */
  private clientSentCookie = false;
  /** A Set-Cookie with the current id is owed to the client. */
  private cookieDue = false;
  /** The client's session was ended here; its cookie should be expired. */
  private clearCookieDue = false;

  /**
   * @param runtime - the module's runtime.
   * @param req - the Node request (for a handshake: the WebSocket handshake request).
   * @param res - its response (for a handshake: a response never sent).
   * @param handshake - a session read from a WebSocket handshake: no cookie can be sent, so only an
   *   existing session is loaded, it is never created, and `regenerate()` is refused.
   */
  constructor(
    private readonly runtime: SessionRuntime,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly handshake = false,
  ) {}

  /**
   * Loads the session the request's cookie names, if the cookie is valid and the session alive
   * (same signature, expiry and absolute-timeout checks as {@link load}); `undefined` otherwise.
   * For handshake sessions; nothing is committed on its own: call `save()`.
   */
  async loadExisting(): Promise<Session | undefined> {
    const runtime = this.runtime;
    const reading = runtime.codec.read(this.req.headers.cookie);
    this.clientSentCookie = reading.kind !== 'absent';
    if (reading.kind === 'rejected') runtime.noteRejectedCookie(reading.reason);
    if (reading.kind !== 'valid') return undefined;
    const record = await runtime.get(reading.id);
    if (!record || !this.adopt(reading.id, record)) return undefined;
    this.live = createLiveSession(this);
    this.loading = Promise.resolve(this.live);
    return this.live;
  }

  /**
   * Loads the session once; later calls share the same promise. `req.session`
   * is set on the Node request and on `frameworkRequest`, the object handlers
   * see when a framework wraps the Node request (Fastify's `request.raw`).
   */
  load(frameworkRequest?: unknown): Promise<Session> {
    const loaded = this.loadNow(frameworkRequest);
    return loaded instanceof Promise ? loaded : (this.loading ??= Promise.resolve(loaded));
  }

  /**
   * {@link load}, without a promise when the session can be had at once: it
   * was loaded before, or the store answers without waiting (the memory
   * store) and `genid` returns a string. `@Session()` hands that over in the
   * same tick, so Nest calls the handler without awaiting a parameter. Never
   * throws: a failure is a rejected promise.
   */
  loadNow(frameworkRequest?: unknown): Session | Promise<Session> {
    if (typeof frameworkRequest === 'object' && frameworkRequest !== null && frameworkRequest !== this.req) {
      this.frameworkRequest = frameworkRequest;
      if (this.live) this.publishOnFrameworkRequest();
    }
    if (this.live) return this.live;
    if (this.loading) return this.loading;
    let loaded: Session | Promise<Session>;
    try {
      loaded = this.loadOnce();
    } catch (error) {
      loaded = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (loaded instanceof Promise) this.loading = loaded;
    return loaded;
  }

  /** The session if it was loaded, without loading it. */
  peek(): Session | undefined {
    return this.live;
  }

  /** Reads the cookie and (only for a valid one) the store; waits only for a store or `genid` that makes it. */
  private loadOnce(): Session | Promise<Session> {
    const runtime = this.runtime;
    const reading = runtime.codec.read(this.req.headers.cookie);
    this.clientSentCookie = reading.kind !== 'absent';
    if (reading.kind === 'rejected') runtime.noteRejectedCookie(reading.reason);
    if (reading.kind !== 'valid') return this.loadNew();
    const id = reading.id;
    const record = runtime.getNow(id);
    if (record instanceof Promise) return record.then((stored) => this.loadRead(id, stored));
    return this.loadRead(id, record);
  }

  private loadRead(id: string, record: StoredSessionRecord | undefined): Session | Promise<Session> {
    return record && this.adopt(id, record) ? this.loaded() : this.loadNew();
  }

  /** Starts a new session: at once when `genid` returns a string. */
  private loadNew(): Session | Promise<Session> {
    const id = this.runtime.config.genid(this.req);
    if (typeof id === 'string') return this.loadedNew(id);
    return Promise.resolve(id).then((made) => this.loadedNew(made));
  }

  private loadedNew(id: unknown): Session {
    this.becomeNew(checkedId(id));
    return this.loaded();
  }

  /** Finishes a load: holds the response if something is owed already, and publishes the session. */
  private loaded(): Session {
    // Something is owed to the store or the client whatever the handler does: hold the response now.
    if (!this.isNew && (this.runtime.config.rolling || this.touchIsDue())) this.watchResponse();
    const live = createLiveSession(this);
    this.live = live;
    this.publishView();
    return live;
  }

  /**
   * Publishes the current data on `req.session`. The session object there is
   * made when code first reads it (see `publishSession`), and the one an
   * earlier generation had keeps that generation's identity.
   */
  private publishView(): void {
    this.view?.retire();
    this.view = undefined;
    publishSession(this.req, this);
    this.publishOnFrameworkRequest();
  }

  /** @inheritdoc */
  requestSession(): Session {
    return (this.view ??= createSessionView(this.data, this)).session;
  }

  /** Sets `session` on the framework request, unless it already reads the Node request's (Fastify, decorated). */
  private publishOnFrameworkRequest(): void {
    const request = this.frameworkRequest as { session?: unknown } | undefined;
    if (request && request.session !== this.requestSession()) publishSession(request, this);
  }

  private adopt(id: string, record: StoredSessionRecord): boolean {
    const now = Date.now();
    const absolute = this.runtime.config.absoluteTimeoutMs;
    if (record.expiresAt <= now) return false;
    if (absolute !== undefined && record.createdAt + absolute <= now) {
      this.runtime.destroyInBackground(id);
      return false;
    }
    this.id = id;
    this.isNew = false;
    this.createdAt = record.createdAt;
    this.expiresAt = record.expiresAt;
    this.storedMaxAge = record.cookie?.maxAge;
    for (const key of Object.keys(record.data)) {
      if (!isReservedKey(key)) this.data[key] = record.data[key];
    }
    this.snapshot = serializeEntries(this.data);
    return true;
  }

  /** A fresh id from `genid`, checked. */
  private async newId(): Promise<string> {
    return checkedId(await this.runtime.config.genid(this.req));
  }

  /** Switches to a new, unsaved session under `id` (the data is left as it is). */
  private becomeNew(id: string): void {
    this.id = id;
    this.isNew = true;
    this.createdAt = 0;
    this.expiresAt = 0;
    this.snapshot = NO_ENTRIES;
    this.storedMaxAge = undefined;
  }

  private clearData(): void {
    for (const key of Object.keys(this.data)) delete this.data[key];
  }

  // ---------------------------------------------------------------- commit

  /** @inheritdoc */
  beforeHeaders(): Promise<void> | undefined {
    return this.headCommitted || this.commitGaveUp ? undefined : this.commitHead(this.res);
  }

  /** @inheritdoc */
  headIsCommitted(): boolean {
    return this.headCommitted;
  }

  /**
   * Commits what the response's head needs (the store write, then the
   * Set-Cookie through `target`) before a framework sends a reply's head
   * itself: Fastify's `onSend`, for replies sent with `reply.send()`. Then the
   * response hook lets the head through as it is, unless the session changes
   * again before it goes. `undefined` when nothing is owed or the head is gone.
   */
  commitForReply(target: HeaderTarget): Promise<void> | undefined {
    if (!this.watching || this.headCommitted || this.res.headersSent) return undefined;
    this.headCommitted = true;
    try {
      return this.commitHead(target);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private commitHead(target: HeaderTarget): Promise<void> | undefined {
    const work = this.plan();
    const done = work.kind === 'none' ? undefined : this.perform(work);
    if (done) return done.then(() => this.writeCookieHeader(target));
    this.writeCookieHeader(target);
    return undefined;
  }

  /** @inheritdoc */
  commitFailed(error: unknown): void {
    // The client is told of the failure: the error response goes out without another attempt.
    this.commitGaveUp = true;
    this.runtime.reportCommitFailure(error);
  }

  /** @inheritdoc */
  beforeEnd(): Promise<void> | undefined {
    // Committed for the head, nothing set since, and no object out that could have changed unseen.
    if (this.commitGaveUp || (this.headCommitted && !this.handedOut)) return undefined;
    const work = this.plan();
    if (work.kind === 'none' || work.kind === 'touch') return undefined;
    const wasNew = this.isNew;
    const warn = (): void => {
      if (wasNew) this.runtime.warnLateNewSession();
    };
    const done = this.perform(work);
    if (done) return done.then(warn);
    warn();
    return undefined;
  }

  /** Decides what the store needs, from what changed since the last save. */
  private plan(): StoreWork {
    // A handshake session that was destroyed stays unsaved: no client could ever present its id.
    if (this.isNew && this.handshake) return NO_WORK;
    const entries = serializeEntries(this.data);
    if (this.isNew) {
      return entries.size > 0 || this.maxAgeChanged ? { kind: 'create', entries } : NO_WORK;
    }
    if (this.maxAgeChanged || entriesDiffer(this.snapshot, entries)) return { kind: 'update', entries };
    return this.touchIsDue() ? { kind: 'touch' } : NO_WORK;
  }

  /**
   * Does the store work; `undefined` when it was done at once (the memory
   * store), else a promise of it.
   *
   * @throws SessionTooLargeError, or the store's error when it fails at once.
   */
  private perform(work: StoreWork): Promise<void> | undefined {
    const runtime = this.runtime;
    const now = Date.now();
    if (work.kind === 'none') return undefined;
    if (work.kind === 'touch') {
      const ttl = this.ttlFrom(now);
      return afterStore(
        runtime.touchNow(this.id, ttl, () => this.record(materialize(this.snapshot))),
        () => {
          this.expiresAt = now + ttl;
        },
      );
    }
    const bytes = serializedSize(work.entries);
    if (bytes > runtime.config.maxSessionBytes)
      throw new SessionTooLargeError(bytes, runtime.config.maxSessionBytes);
    if (work.kind === 'create') {
      this.createdAt = now;
      const ttl = this.ttlFrom(now);
      const record = this.record(materialize(work.entries));
      return afterStore(runtime.setNow(this.id, record, ttl), () => {
        this.isNew = false;
        this.expiresAt = now + ttl;
        this.cookieDue = true;
        this.saved(work.entries);
      });
    }
    const cookie = this.maxAgeChanged ? { maxAge: this.storedMaxAge ?? null } : undefined;
    const ttl = this.ttlFrom(now);
    const before = this.snapshot;
    const patch = (): SessionPatch => ({ ...diffEntries(before, work.entries), ...(cookie && { cookie }) });
    const record = (): SessionRecord => this.record(materialize(work.entries));
    return afterStore(runtime.updateNow(this.id, patch, record, ttl), (applied) => {
      if (!applied) return this.endedElsewhere();
      this.expiresAt = now + ttl;
      if (this.maxAgeChanged || this.runtime.config.rolling) this.cookieDue = true;
      this.saved(work.entries);
      return undefined;
    });
  }

  /** Notes what the store now holds. */
  private saved(entries: SerializedEntries): void {
    this.snapshot = entries;
    this.maxAgeChanged = false;
  }

  /** The whole record for `data`, with the cookie lifetime this session carries (if it has its own). */
  private record(data: SessionDataRecord): SessionRecord {
    const maxAge = this.storedMaxAge;
    return { data, createdAt: this.createdAt, ...(maxAge !== undefined && { cookie: { maxAge } }) };
  }

  /** Another request destroyed or expired the session while this one changed it: its changes are dropped. */
  private async endedElsewhere(): Promise<void> {
    this.runtime.warnEndedElsewhere();
    this.becomeNew(await this.newId());
    this.clearData();
    this.cookieDue = false;
    this.clearCookieDue = this.clientSentCookie;
  }

  private touchIsDue(): boolean {
    const now = Date.now();
    const lastRenewal = this.expiresAt - this.idleTtl();
    return now - lastRenewal >= this.runtime.config.touchAfterMs && this.absoluteDeadline() > now;
  }

  /** Cookie lifetime in force for this session. */
  private maxAge(): number | null {
    return this.storedMaxAge !== undefined ? this.storedMaxAge : this.runtime.config.cookie.maxAge;
  }

  private idleTtl(): number {
    return this.runtime.config.idleTimeoutMs ?? this.maxAge() ?? this.runtime.defaultIdleTimeoutMs;
  }

  private absoluteDeadline(): number {
    const absolute = this.runtime.config.absoluteTimeoutMs;
    return absolute === undefined ? Number.POSITIVE_INFINITY : (this.createdAt || Date.now()) + absolute;
  }

  private ttlFrom(now: number): number {
    return Math.max(1, Math.min(this.idleTtl(), this.absoluteDeadline() - now));
  }

  private cookieExpiry(): Date | undefined {
    const maxAge = this.maxAge();
    if (maxAge === null) return undefined;
    const now = Date.now();
    return new Date(Math.min(now + maxAge, this.absoluteDeadline()));
  }

  private writeCookieHeader(target: HeaderTarget): void {
    const rolling = this.runtime.config.rolling && !this.isNew;
    if (!this.cookieDue && !rolling && !this.clearCookieDue) return;
    const secure = this.runtime.cookieSecurity(this.req);
    if (secure === undefined) return;
    const header =
      this.cookieDue || rolling
        ? this.runtime.codec.write(this.id, { secure, expires: this.cookieExpiry() })
        : this.runtime.codec.clear(secure);
    this.cookieDue = false;
    this.clearCookieDue = false;
    appendSetCookie(target, this.runtime.codec.name, header);
  }

  // ------------------------------------------------------------------- api

  /** The session id, for the proxy. */
  get sessionId(): string {
    return this.id;
  }

  /** Whether the session is unsaved, for the proxy. */
  get sessionIsNew(): boolean {
    return this.isNew;
  }

  /** The cookie view, made on first use. */
  cookie(): SessionCookie {
    return (this.cookieViewCache ??= this.cookieView());
  }

  private cookieView(): SessionCookie {
    const view = {} as SessionCookie;
    Object.defineProperties(view, {
      maxAge: {
        enumerable: true,
        get: () => this.maxAge(),
        set: (value: number | null) => {
          if (value !== null && (!Number.isFinite(value) || value < 0)) {
            throw new TypeError(
              'session.cookie.maxAge must be a non-negative number of milliseconds, or null.',
            );
          }
          this.noteMayChange();
          this.storedMaxAge = value === null ? null : Math.round(value);
          this.maxAgeChanged = true;
        },
      },
      expires: { enumerable: true, get: () => this.cookieExpiry() },
    });
    return view;
  }

  /** @inheritdoc */
  currentData(): SessionDataRecord {
    return this.data;
  }

  /** @inheritdoc */
  method(name: SessionMethodName): unknown {
    const methods = (this.methods ??= {});
    return (methods[name] ??= this.apiMethod(name));
  }

  /** @inheritdoc */
  noteDetachedWrite(): void {
    this.runtime.warnDetachedWrite();
  }

  /** @inheritdoc */
  noteMayChange(): void {
    this.headCommitted = false;
    if (!this.watching) this.watchResponse();
  }

  /** @inheritdoc */
  noteHandedOut(): void {
    this.handedOut = true;
    this.noteMayChange();
  }

  /**
   * Holds the response for the commit from now on (see `ResponseCommitGate`).
   * Only a session that may have to be written needs it: one whose data was
   * set, deleted or handed out as an object, whose API was called, or that is
   * owed a touch or a rolling cookie. A request that only reads plain values
   * leaves its response alone.
   */
  private watchResponse(): void {
    if (this.watching || this.handshake) return;
    this.watching = true;
    new ResponseCommitGate(this.res, this);
  }

  /**
   * An API method as the proxies hand it out: it returns a promise and takes
   * an optional Node-style callback (express-session's signatures, which
   * Passport calls). Bad arguments reject; they never throw synchronously.
   */
  private apiMethod(name: SessionMethodName): (...args: unknown[]) => Promise<void> {
    switch (name) {
      case 'regenerate':
        return (first?: unknown, second?: unknown) =>
          typeof first === 'function'
            ? this.settle(name, first, () => this.regenerate())
            : this.settle(name, second, () => this.regenerate(regenerateOptions(first)));
      case 'destroy':
        return (callback?: unknown) => this.settle(name, callback, () => this.destroy());
      case 'save':
        return (callback?: unknown) => this.settle(name, callback, () => this.save());
      case 'reload':
        return (callback?: unknown) => this.settle(name, callback, () => this.reload());
      case 'touch':
        return (callback?: unknown) => this.settle(name, callback, () => this.touch());
    }
  }

  private settle(method: SessionMethodName, callback: unknown, run: () => Promise<void>): Promise<void> {
    this.noteMayChange();
    let done: Promise<void>;
    let nodeCallback: NodeCallback | undefined;
    try {
      nodeCallback = optionalCallback(method, callback);
      done = run();
    } catch (error) {
      done = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return withCallback(done, nodeCallback, (error) => this.runtime.reportCallbackFailure(method, error));
  }

  /** Session API: see `SessionApi.regenerate`. */
  async regenerate(options: RegenerateOptions = {}): Promise<void> {
    if (this.handshake) throw new HandshakeSessionError('regenerate');
    await this.renew(options);
  }

  /** Ends the current session and starts a new, unsaved one. */
  private async renew(options: RegenerateOptions): Promise<void> {
    const id = await this.newId();
    if (!this.isNew) await this.runtime.destroy(this.id);
    if (this.clientSentCookie) this.clearCookieDue = true;
    const next = emptyRecord();
    if (options.keepData) Object.assign(next, this.data);
    this.data = next;
    this.publishView();
    this.becomeNew(id);
    this.cookieDue = false;
    this.maxAgeChanged = false;
  }

  /** Session API: see `SessionApi.destroy`. */
  async destroy(): Promise<void> {
    await this.renew({ keepData: false });
  }

  /** Session API: see `SessionApi.save`. */
  async save(): Promise<void> {
    const work = this.plan();
    if (work.kind !== 'none') await this.perform(work);
    if (this.res.headersSent && this.cookieDue) this.runtime.warnLateNewSession();
  }

  /** Session API: see `SessionApi.reload`. */
  async reload(): Promise<void> {
    const record = this.isNew ? undefined : await this.runtime.get(this.id);
    this.clearData();
    this.maxAgeChanged = false;
    if (record && this.adopt(this.id, record)) return;
    if (!this.isNew) {
      this.becomeNew(await this.newId());
      this.clearCookieDue = this.clientSentCookie;
    }
  }

  /** Session API: see `SessionApi.touch`. */
  async touch(): Promise<void> {
    if (this.isNew) return;
    await this.perform({ kind: 'touch' });
    if (this.runtime.config.rolling) this.cookieDue = true;
  }
}

/**
 * Runs `next` on what a store call gave: at once when it answered at once
 * (then `undefined` unless `next` returns a promise), else when its promise
 * settles.
 */
function afterStore<T>(
  result: T | Promise<T>,
  next: (value: T) => Promise<void> | undefined | void,
): Promise<void> | undefined {
  if (result instanceof Promise) return result.then(next);
  return next(result) ?? undefined;
}

/** A session id `genid` made, checked. */
function checkedId(id: unknown): string {
  if (typeof id !== 'string' || !SESSION_ID_PATTERN.test(id)) throw new InvalidSessionIdError();
  return id;
}

/** Checks the options argument of `regenerate()`. */
function regenerateOptions(options: unknown): RegenerateOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new TypeError('session.regenerate() takes an options object ({ keepData }) and/or a callback.');
  }
  const keepData: unknown = (options as { keepData?: unknown }).keepData;
  return { keepData: keepData === true };
}

/** Checks a callback argument: a function or nothing. */
function optionalCallback(method: SessionMethodName, callback: unknown): NodeCallback | undefined {
  if (callback === undefined || callback === null) return undefined;
  if (typeof callback !== 'function') {
    throw new TypeError(`session.${method}() takes an optional callback function, got ${typeof callback}.`);
  }
  return callback as NodeCallback;
}
