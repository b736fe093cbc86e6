export { RedisSessionStore } from './redis-session.store.js';
export {
  RedisOperationTimeoutError,
  RedisUnavailableError,
  RedisWriteNotReplicatedError,
} from './redis-session.errors.js';
export type { RedisDurableWritesOptions, RedisSessionStoreOptions } from './redis-session-store.options.js';
export type { RedisReadCacheOptions } from './redis-read-cache.js';
export type { RedisAddress, RedisConnectionOptions } from './redis-connection.js';
export { jsonSessionSerializer, type SessionSerializer } from './session-serializer.js';
