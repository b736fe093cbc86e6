export { ClusterSessionStore, type ClusterSessionStoreOptions } from './cluster-session.store.js';
export { clusterSessionHost, type ClusterSessionHostOptions } from './cluster-session.host.js';
export type { ClusterReadCacheOptions } from './worker-read-cache.js';
export { redisCacheRelayHost } from './redis-cache-relay.host.js';
