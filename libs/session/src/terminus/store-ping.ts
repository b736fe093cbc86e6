import type { SessionStore } from '../session-store.interface.js';

/**
 * The id the health check reads. It has the shape of a session id (so every store accepts it), but
 * not the length of those this library generates (32 base64url characters): a ping never reads a
 * real session, and never creates one.
 */
export const PING_SESSION_ID = 'nest-hive-health-ping';

/**
 * Pings a store: with its own `ping()` when it has one (Redis: `PING` to the server, or to every
 * master of a Cluster), else with a read of an id that never exists: one round trip to its server
 * (the primary for the cluster store, the express-session store's `get`, e.g. a `SELECT` for
 * connect-pg-simple), nothing for the memory store.
 */
export async function pingSessionStore(store: SessionStore): Promise<void> {
  if (store.ping) await store.ping();
  else await store.get(PING_SESSION_ID);
}
