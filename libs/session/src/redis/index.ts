export { RedisSessionStore } from './redis-session.store.js';
export { RedisOperationTimeoutError, RedisUnavailableError } from './redis-session.errors.js';
export type { RedisSessionStoreOptions } from './redis-session-store.options.js';
export { jsonSessionSerializer, type SessionSerializer } from './session-serializer.js';
