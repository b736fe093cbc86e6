export { SessionModule } from './session.module.js';
export {
  SESSION_MODULE_OPTIONS,
  type SessionModuleAsyncOptions,
  type SessionModuleExtras,
  type SessionModuleForRootOptions,
} from './session.module-definition.js';
export type {
  SameSiteOption,
  SessionCookieFormat,
  SessionCookieOptions,
  SessionEagerRoutes,
  SessionModuleOptions,
} from './session-options.interface.js';
export type {
  RegenerateOptions,
  ReservedSessionKey,
  SessionApi,
  SessionCallback,
  SessionCookie,
  SessionData,
} from './session.interfaces.js';
export { Session } from './decorators/session.decorator.js';
export { UseSession } from './decorators/use-session.decorator.js';
export { getSessionStoreToken, InjectSessionStore } from './decorators/inject-session-store.decorator.js';
export { SessionService } from './session.service.js';
export { SessionStore, type ImmediateSessionStore } from './session-store.interface.js';
export type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredCookieSettings,
  StoredSessionRecord,
} from './session-record.interface.js';
export { MemorySessionStore } from './stores/memory-session.store.js';
export { FileSessionStore } from './stores/file/file-session.store.js';
export type {
  FileSessionStoreOptions,
  SessionDurability,
  SessionPersistenceOptions,
} from './stores/file/file-session-store.options.js';
export { SessionFileError, type SessionFileProblem } from './stores/file/session-file.errors.js';
export { UserSessions, type UserSessionInfo } from './users/user-sessions.service.js';
export type { UserSessionsOptions } from './users/user-sessions.options.js';
export type {
  IndexedSessionStore,
  UserSessionEntry,
  UserSessionIndex,
} from './users/user-session-index.interface.js';
export { UserSessionsUnavailableError } from './users/user-sessions.errors.js';
export {
  SessionSockets,
  type SessionBoundSocket,
  type SessionSocketServer,
} from './users/session-sockets.js';
export type { MemorySessionStoreOptions } from './stores/memory-session-store.options.js';
export { generateSessionId } from './core/session-id.js';
export { validateSessionOptions } from './session-config.js';
export {
  SessionError,
  InvalidSessionIdError,
  InvalidSessionOptionsError,
  NestSessionDecoratorError,
  RequestSessionDecoratedError,
  ReservedSessionKeyError,
  SessionDataNotSerializableError,
  SessionNotAvailableError,
  HandshakeSessionError,
  SessionStoreUnavailableError,
  SessionTooLargeError,
} from './session.errors.js';
