import { RedisStore } from 'connect-redis';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import pg from 'pg';
import { createClient } from 'redis';
import { PG_CONFIG, TestSchema } from './postgres.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from './redis.js';

/** Where a real express-session store keeps one test run's sessions. */
export interface RealExpressStore {
  /** The store, as an express-session app would create it. */
  readonly store: session.Store;
  /** The session's remaining lifetime in the backend, in ms (`undefined` when absent). */
  remainingMs(id: string): Promise<number | undefined>;
  /** The raw session the backend holds for `id`. */
  raw(id: string): Promise<unknown>;
  /** Closes connections and deletes what the run created. */
  dispose(): Promise<void>;
}

/** connect-redis 9 on a node-redis 5 client, under a key prefix of its own. */
export async function connectRedisStore(url = REDIS_URL): Promise<RealExpressStore & { prefix: string }> {
  const prefix = uniquePrefix('connect-redis');
  const client = createClient({ url });
  client.on('error', () => undefined); // reconnects by itself; errors reach the store's callers
  await client.connect();
  const store = new RedisStore({ client, prefix });
  return {
    store,
    prefix,
    remainingMs: async (id) => {
      const ttl = await client.pTTL(prefix + id);
      return ttl < 0 ? undefined : ttl;
    },
    raw: async (id) => {
      const text = await client.get(prefix + id);
      return text === null ? undefined : (JSON.parse(text) as unknown);
    },
    dispose: async () => {
      await client.close().catch(() => client.destroy());
      await deleteKeys(`${prefix}*`, url);
    },
  };
}

/** connect-pg-simple 10 on the real PostgreSQL, in a schema of its own. */
export async function pgSimpleStore(): Promise<RealExpressStore & { schema: TestSchema }> {
  const schema = await TestSchema.create('pgsession');
  const pool = new pg.Pool({ ...PG_CONFIG, max: 4 });
  const PGStore = connectPgSimple(session);
  const store = new PGStore({
    pool,
    schemaName: schema.name,
    tableName: 'session',
    createTableIfMissing: true,
    pruneSessionInterval: false,
  });
  return {
    store,
    schema,
    remainingMs: async (id) => {
      const result = await pool.query<{ ms: number }>(
        `SELECT (extract(epoch FROM (expire - localtimestamp)) * 1000)::float8 AS ms FROM "${schema.name}"."session" WHERE sid = $1`,
        [id],
      );
      return result.rows[0]?.ms;
    },
    raw: async (id) => {
      const result = await pool.query<{ sess: unknown }>(
        `SELECT sess FROM "${schema.name}"."session" WHERE sid = $1`,
        [id],
      );
      return result.rows[0]?.sess;
    },
    dispose: async () => {
      store.close(); // stops its prune timer; the pool is ours to end
      await pool.end();
      await schema.drop();
    },
  };
}
