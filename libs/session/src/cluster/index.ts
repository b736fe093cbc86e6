export { ClusterSessionStore, type ClusterSessionStoreOptions } from './cluster-session.store.js';
export { attachToPrimary } from './cluster-session.host.js';
