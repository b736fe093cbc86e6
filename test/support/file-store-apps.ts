import type { CounterRoute } from './counter-load.js';
import { freshRequest } from './fresh-http.js';
import type { ServingCluster } from './kill-rounds.js';
import { freePort, startNode, waitFor } from './processes.js';
import { TEST_SECRET } from './session-app.js';

/** Settings of {@link startFileStoreFixture}. */
export interface FileStoreFixtureOptions {
  /** The session file (`SESSION_DB`). */
  readonly db: string;
  readonly durability: 'flush' | 'sync';
  readonly workers: number;
}

/**
 * Starts test/fixtures/file-store (compiled): a two-worker cluster whose sessions the primary
 * keeps in `db` with the given durability. Resolves once every worker serves.
 */
export async function startFileStoreFixture(options: FileStoreFixtureOptions): Promise<ServingCluster> {
  const port = await freePort();
  const child = startNode('dist-test/fixtures/file-store/app.js', {
    PORT: String(port),
    FIXTURE_WORKERS: String(options.workers),
    FIXTURE_SECRET: TEST_SECRET,
    SESSION_DB: options.db,
    SESSION_DURABILITY: options.durability,
  });
  try {
    await waitFor('the file-store fixture', () => (/READY/.test(child.output()) ? true : undefined), 30_000);
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return { url: `http://127.0.0.1:${port}`, process: child };
}

function counterOf(json: unknown): number | undefined {
  const value = (json as { data?: { counter?: unknown } } | undefined)?.data?.counter;
  return typeof value === 'string' ? Number(value) : undefined;
}

/** A new session on the fixture at `url`, with its counter at 0: its cookie. */
export async function fixtureSession(url: string): Promise<string> {
  const reply = await freshRequest(`${url}/probe/write?k=counter&v=0`);
  if (reply.status !== 200 || !reply.sessionCookie)
    throw new Error(`no session: ${reply.status} ${reply.body}`);
  return reply.sessionCookie;
}

/** The fixture's counter: `/probe/write?k=counter&v=N` writes it, `/probe/read` reads it. */
export function fixtureCounter(url: string): CounterRoute {
  return {
    write: async (cookie, value) => {
      const reply = await freshRequest(`${url}/probe/write?k=counter&v=${value}`, {
        cookie,
        timeoutMs: 5_000,
      });
      return reply.status === 200 ? counterOf(reply.json) : undefined;
    },
    read: async (cookie) => {
      const reply = await freshRequest(`${url}/probe/read`, { cookie, timeoutMs: 5_000 });
      const stored = counterOf(reply.json);
      if (reply.status !== 200 || stored === undefined)
        throw new Error(`no counter: ${reply.status} ${reply.body}`);
      return { stored, now: stored };
    },
  };
}

/** A new anonymous-user session on the demo at `url` (`POST /api/login`): its cookie. */
export async function demoSession(url: string, user: string): Promise<string> {
  const reply = await freshRequest(`${url}/api/login`, { body: { user } });
  if (reply.status !== 200 || !reply.sessionCookie)
    throw new Error(`no login: ${reply.status} ${reply.body}`);
  return reply.sessionCookie;
}

function visitsOf(json: unknown): number | undefined {
  const visits = (json as { visits?: unknown } | undefined)?.visits;
  return typeof visits === 'number' ? visits : undefined;
}

/**
 * The demo's visit counter (`GET /api/visits` adds one and answers the count) as a counter:
 * the value written is the count the server answers. Reading is a visit too: it finds the
 * stored count plus one, and leaves that stored.
 */
export function demoVisits(url: string): CounterRoute {
  return {
    write: async (cookie) => {
      const reply = await freshRequest(`${url}/api/visits`, { cookie, timeoutMs: 5_000 });
      return reply.status === 200 ? visitsOf(reply.json) : undefined;
    },
    read: async (cookie) => {
      const reply = await freshRequest(`${url}/api/visits`, { cookie, timeoutMs: 5_000 });
      const now = visitsOf(reply.json);
      if (reply.status !== 200 || now === undefined)
        throw new Error(`no visits: ${reply.status} ${reply.body}`);
      return { stored: now - 1, now };
    },
  };
}
