export {
  RedisOperationTimeoutError,
  RedisSessionStore,
  RedisUnavailableError,
} from './redis-session.store.js';
export type { RedisSessionStoreOptions } from './redis-session-store.options.js';
export { jsonSessionSerializer, type SessionSerializer } from './session-serializer.js';
