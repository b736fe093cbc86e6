import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ALLOW_SKIP_VARIABLE, skipAllowed, skipHint } from './allow-skip.js';

/** The shared PostgreSQL the tests use (trust auth; never stopped by a test). */
export const PG_CONFIG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
} as const;

/**
 * Whether the shared PostgreSQL answers. An unreachable server fails the
 * suite unless `NEST_HIVE_ALLOW_SKIP` names `postgres`; then its tests are
 * skipped with a message.
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ ...PG_CONFIG, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    if (!skipAllowed('postgres')) {
      throw new Error(
        `PostgreSQL at ${PG_CONFIG.host}:${PG_CONFIG.port} is unreachable (${problem}). Start it with ` +
          '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`. ' +
          skipHint('postgres'),
      );
    }
    console.warn(
      `Skipping PostgreSQL tests (${ALLOW_SKIP_VARIABLE}): no server at ${PG_CONFIG.host}:${PG_CONFIG.port} (${problem}).`,
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A schema of its own for one test run (connect-pg-simple's table has fixed
 * index and constraint names, so two runs must not share a schema), dropped
 * with everything in it by `drop()`.
 */
export class TestSchema {
  private constructor(readonly name: string) {}

  /** Creates `test_<label>_<random>`. */
  static async create(label: string): Promise<TestSchema> {
    const schema = new TestSchema(`test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`);
    await schema.run(`CREATE SCHEMA "${schema.name}"`);
    return schema;
  }

  /** Runs one statement on a connection of its own. */
  async run(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client(PG_CONFIG);
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end();
    }
  }

  /** Drops the schema and everything in it. */
  async drop(): Promise<void> {
    await this.run(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`);
  }
}
