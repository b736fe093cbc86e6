import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegenerateOptions, Session, SessionCookie } from '../session.interfaces.js';
import type { SessionDataRecord, StoredSessionRecord } from '../session-record.interface.js';
import { publishSession, type PublishedSession } from './request-session-property.js';
import { createApiMethod, type SessionApiMethod, type SessionApiTarget } from './session-api-methods.js';
import { HTTP_CHANNEL, type SessionChannel } from './session-channel.js';
import {
  commitBeforeEnd,
  commitBeforeHeaders,
  commitForReply,
  giveUpCommit,
  noteMayChange,
  saveSession,
  touchIsDue,
  touchSession,
  watchResponse,
} from './session-commit.js';
import { createCookieView } from './session-cookie-view.js';
import {
  adoptIfAlive,
  loadSession,
  reloadSession,
  renewSession,
  type LoadingSession,
} from './session-loading.js';
import {
  createLiveSession,
  createSessionView,
  type SessionHandle,
  type SessionMethodName,
  type SessionView,
} from './session-proxy.js';
import type { SessionRuntime } from './session-runtime.js';
import { SessionState } from './session-state.js';
import type { HeaderTarget } from './set-cookie-header.js';

/**
 * One request's session: created by the middleware for every request, it
 * costs nothing until something asks for the session. Loading reads the
 * cookie and (only then) the store; the commit before the response writes
 * only what the request changed, and the cookie only when it must.
 *
 * It coordinates the parts of the session core: its state (inherited, so a
 * request allocates one object), loading, the lifetime arithmetic, the commit
 * and its phase, the Set-Cookie owed, the objects code gets, and through its
 * channel what the client can receive (an HTTP response, or nothing: a
 * WebSocket handshake, see `handshake-session.ts`).
 */
export class RequestSession
  extends SessionState
  implements LoadingSession, SessionHandle, PublishedSession, SessionApiTarget
{
  /** The module's runtime. */
  declare readonly runtime: SessionRuntime;
  /** The Node request (for a handshake: the WebSocket handshake request). */
  declare readonly req: IncomingMessage;
  /** Its response (for a handshake: a response never sent). */
  declare readonly res: ServerResponse;
  /** What the client can receive: an HTTP response unless said otherwise. */
  declare readonly channel: SessionChannel;
  declare private loading: Promise<Session> | undefined;
  /** What `@Session()` and `SessionService.get()` return: always the current session. */
  declare private live: Session | undefined;
  /** What `req.session` holds, made when first read: replaced on `regenerate()`. */
  declare private view: SessionView | undefined;
  /** The framework's request object, when it is not the Node request itself (Fastify). */
  declare private frameworkRequest: object | undefined;
  declare private cookieView: SessionCookie | undefined;
  declare private methods: Partial<Record<SessionMethodName, SessionApiMethod>> | undefined;

  // Fields set by plain stores, as in SessionState.
  constructor(runtime: SessionRuntime, req: IncomingMessage, res: ServerResponse, channel = HTTP_CHANNEL) {
    super();
    this.runtime = runtime;
    this.req = req;
    this.res = res;
    this.channel = channel;
    this.loading = this.live = this.view = this.frameworkRequest = undefined;
    this.cookieView = this.methods = undefined;
  }

  // ------------------------------------------------------------------ load

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
   * was loaded before, or the store answers at once (an
   * `ImmediateSessionStore`) and `genid` returns a string. `@Session()` hands
   * that over in the same tick, so Nest calls the handler without awaiting a
   * parameter. Never throws: a failure is a rejected promise.
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
      loaded = loadSession(this);
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

  /** Takes over `record` if it is alive, without publishing `req.session` (a handshake's session). */
  openStored(id: string, record: StoredSessionRecord): Session | undefined {
    if (!adoptIfAlive(this, id, record)) return undefined;
    const live = (this.live = createLiveSession(this));
    this.loading = Promise.resolve(live);
    return live;
  }

  /** @inheritdoc */
  loaded(): Session {
    // Something is owed to the store or the client whatever the handler does: hold the response now.
    if (!this.isNew && (this.runtime.config.rolling || touchIsDue(this))) watchResponse(this);
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
  publishView(): void {
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

  // ---------------------------------------------------------------- commit

  /** @inheritdoc */
  beforeHeaders(): Promise<void> | undefined {
    return commitBeforeHeaders(this);
  }

  /** @inheritdoc */
  headIsCommitted(): boolean {
    return this.commitPhase === 'headCommitted';
  }

  /** Commits for a reply whose head a framework sends itself (Fastify's `onSend`): see `commitForReply`. */
  commitForReply(target: HeaderTarget): Promise<void> | undefined {
    return commitForReply(this, target);
  }

  /** @inheritdoc */
  commitFailed(error: unknown): void {
    giveUpCommit(this, error);
  }

  /** @inheritdoc */
  beforeEnd(): Promise<void> | undefined {
    return commitBeforeEnd(this);
  }

  // ------------------------------------------------------------------- api

  /** The cookie view, made on first use. */
  cookie(): SessionCookie {
    return (this.cookieView ??= createCookieView(this, this.runtime.lifetime));
  }

  /** @inheritdoc */
  currentData(): SessionDataRecord {
    return this.data;
  }

  /** @inheritdoc */
  method(name: SessionMethodName): unknown {
    const methods = (this.methods ??= {});
    return (methods[name] ??= createApiMethod(name, this, this.runtime.log));
  }

  /** @inheritdoc */
  noteDetachedWrite(): void {
    this.runtime.log.warnDetachedWrite();
  }

  /** @inheritdoc */
  noteMayChange(): void {
    noteMayChange(this);
  }

  /** @inheritdoc */
  noteHandedOut(): void {
    this.handedOut = true;
    noteMayChange(this);
  }

  /** Session API: see `SessionApi.regenerate`. */
  async regenerate(options: RegenerateOptions = {}): Promise<void> {
    this.channel.checkRegenerate();
    await renewSession(this, options.keepData ?? false);
  }

  /** Session API: see `SessionApi.destroy`. */
  destroy(): Promise<void> {
    return renewSession(this, false);
  }

  /** Session API: see `SessionApi.save`. */
  save(): Promise<void> {
    return saveSession(this);
  }

  /** Session API: see `SessionApi.reload`. */
  reload(): Promise<void> {
    return reloadSession(this);
  }

  /** Session API: see `SessionApi.touch`. */
  touch(): Promise<void> {
    return touchSession(this);
  }
}
