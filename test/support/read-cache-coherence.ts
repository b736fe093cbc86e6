/**
 * The coherence rules of a worker-local read cache, through a real two-worker cluster and real HTTP
 * (test/fixtures/cluster-cache), for any shared store: once a response that wrote, logged out or
 * revoked has been received, a request on the other worker never sees the old session, while the
 * other worker held a copy and under a concurrent load; a write racing reads; a worker stopped with
 * SIGSTOP while it holds a copy; the bound on copies with 100 000 sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freshRequest, pidOf, type FreshReply } from './fresh-http.js';
import { freePort, startNode, waitFor, type RunningProcess } from './processes.js';
import { TEST_SECRET } from './session-app.js';
import { agentsOnWorkers, type PinnedAgent } from './worker-agents.js';

interface ReadReply {
  pid: number;
  user: string | null;
  n: number | null;
}

interface CacheStats {
  pid: number;
  entries: number;
  hits: number;
  misses: number;
}

/** The fixture's settings for one store. */
export type FixtureEnv = () => Record<string, string>;

/**
 * Declares the coherence tests of the read cache of the store `env()` names (read when the suite
 * starts, after the `beforeAll` hooks declared before it).
 */
export function describeReadCacheCoherence(title: string, env: FixtureEnv): void {
  describe(title, () => {
    let cluster: RunningProcess;
    let url: string;
    let workers: PinnedAgent[];

    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      cluster = startNode('dist-test/fixtures/cluster-cache/app.js', {
        PORT: String(port),
        FIXTURE_SECRET: TEST_SECRET,
        FIXTURE_CACHE_MAX: '10000',
        ...env(),
      });
      await waitFor('the cluster', () => (/READY/.test(cluster.output()) ? true : undefined), 30_000);
      workers = await agentsOnWorkers(url, '/c/pid', 2);
    }, 40_000);

    afterAll(async () => {
      for (const worker of workers ?? []) worker.agent.destroy();
      await cluster?.stop();
    });

    /** One request through `worker`'s connection; fails when another worker answered. */
    async function on(worker: PinnedAgent, path: string, cookie?: string): Promise<FreshReply> {
      const reply = await freshRequest(url + path, { agent: worker.agent, cookie });
      expect(reply.status).toBe(200);
      expect(pidOf(reply)).toBe(worker.pid);
      return reply;
    }

    async function read(worker: PinnedAgent, cookie: string): Promise<ReadReply> {
      return (await on(worker, '/c/read', cookie)).json as ReadReply;
    }

    async function stats(worker: PinnedAgent): Promise<CacheStats> {
      return (await on(worker, '/c/stats')).json as CacheStats;
    }

    /** Logs `user` in on `worker`; returns the cookie. */
    async function login(worker: PinnedAgent, user: string): Promise<string> {
      const cookie = (await on(worker, `/c/login?user=${user}`)).sessionCookie;
      if (cookie === undefined) throw new Error('the login set no cookie');
      return cookie;
    }

    /** Requests on fresh connections, spread over both workers, until `stop` is called. */
    function backgroundLoad(cookies: readonly string[]): { stop: () => Promise<number> } {
      let running = true;
      let served = 0;
      const loops = Array.from({ length: 8 }, async (_, loop) => {
        for (let i = 0; running; i++) {
          const cookie = cookies[(loop + i) % cookies.length];
          const path = i % 5 === 0 ? `/c/write?n=${i}` : '/c/read';
          const reply = await freshRequest(url + path, { cookie });
          expect(reply.status).toBe(200);
          served += 1;
        }
      });
      return {
        stop: async () => {
          running = false;
          await Promise.all(loops);
          return served;
        },
      };
    }

    it('after a write, a logout or a revoke answered on one worker, the other never serves its copy (300 rounds, under load)', async () => {
      const [a, b] = workers as [PinnedAgent, PinnedAgent];
      const loadCookies = await Promise.all(Array.from({ length: 6 }, (_, i) => login(a, `load${i}`)));
      const load = backgroundLoad(loadCookies);
      const hitsBefore = (await stats(a)).hits + (await stats(b)).hits;
      try {
        for (let round = 0; round < 300; round++) {
          const [writer, reader] = round % 2 === 0 ? [a, b] : [b, a];
          const user = `u${round}`;
          const cookie = await login(writer, user);
          // The reader takes a copy and serves it once, so it holds one when the writer acts.
          expect(await read(reader, cookie)).toMatchObject({ user, n: null });
          expect(await read(reader, cookie)).toMatchObject({ user, n: null });
          // The writer holds a copy too: its own write drops it.
          expect(await read(writer, cookie)).toMatchObject({ user, n: null });
          expect(await read(writer, cookie)).toMatchObject({ user, n: null });
          await on(writer, `/c/write?n=${round}`, cookie);
          expect(await read(writer, cookie)).toMatchObject({ user, n: round });
          expect(await read(reader, cookie)).toMatchObject({ user, n: round });
          expect(await read(reader, cookie)).toMatchObject({ user, n: round });
          if (round % 3 === 2) {
            const revoked = (await on(writer, `/c/revoke-all?user=${user}`)).json as { revoked: number };
            expect(revoked.revoked).toBe(1);
          } else {
            await on(writer, '/c/logout', cookie);
          }
          expect(await read(reader, cookie)).toMatchObject({ user: null, n: null });
        }
      } finally {
        expect(await load.stop()).toBeGreaterThan(100);
      }
      // The copies were served: each round has three reads that find a copy (900), fewer only
      // where a lease lapsed on a loaded machine.
      const hits = (await stats(a)).hits + (await stats(b)).hits - hitsBefore;
      expect(hits).toBeGreaterThanOrEqual(600);
    }, 120_000);

    it('a write racing reads on the other worker: no read that starts after a write was answered sees an older value', async () => {
      const [a, b] = workers as [PinnedAgent, PinnedAgent];
      const cookie = await login(a, 'racer');
      let acknowledged = 0;
      let writing = true;
      let reads = 0;
      const reader = (async () => {
        while (writing) {
          const floor = acknowledged;
          const { n } = await read(b, cookie);
          expect(n ?? 0).toBeGreaterThanOrEqual(floor);
          reads += 1;
        }
      })();
      for (let n = 1; n <= 400; n++) {
        await on(a, `/c/write?n=${n}`, cookie);
        acknowledged = n;
      }
      writing = false;
      await reader;
      expect(reads).toBeGreaterThan(50);
      expect(await read(b, cookie)).toMatchObject({ n: 400 });
    }, 60_000);

    it('a worker stopped (SIGSTOP) while it holds a copy: the write is answered once its lease ends, and resumed it reads the new value', async () => {
      const [a, b] = workers as [PinnedAgent, PinnedAgent];
      const cookie = await login(a, 'sleeper');
      await read(b, cookie);
      expect(await read(b, cookie)).toMatchObject({ user: 'sleeper', n: null });
      process.kill(b.pid, 'SIGSTOP');
      let resumed = false;
      const resume = (): void => {
        if (!resumed) process.kill(b.pid, 'SIGCONT');
        resumed = true;
      };
      try {
        // Answered: the primary waits for the stopped worker only until its lease (2 s) ends.
        const write = await freshRequest(`${url}/c/write?n=7`, { agent: a.agent, cookie, timeoutMs: 8_000 });
        expect(write.status).toBe(200);
        await on(a, '/c/logout', cookie);
      } finally {
        resume();
      }
      // Its lease ran out while it was stopped: the copy it held is gone, whichever message it reads first.
      const after = (await freshRequest(`${url}/c/read`, { agent: b.agent, cookie })).json as ReadReply;
      expect(after).toMatchObject({ pid: b.pid, user: null, n: null });
    }, 30_000);

    it('holds at most maxEntries copies with 100 000 sessions read', async () => {
      const [a] = workers as [PinnedAgent];
      const filled = (
        await freshRequest(`${url}/c/fill?count=100000`, { agent: a.agent, timeoutMs: 120_000 })
      ).json as CacheStats & { heapGrowth: number };
      expect(filled.pid).toBe(a.pid);
      expect(filled.entries).toBeLessThanOrEqual(10_000);
      expect(filled.entries).toBeGreaterThan(9_000);
      // 10 000 copies (about 14 MB measured with their bookkeeping): not the 100 000 sessions read.
      expect(filled.heapGrowth).toBeLessThan(25e6);
      console.log(
        `${title}: 100 000 sessions read on one worker: ${filled.entries} copies kept, heap +${Math.round(filled.heapGrowth / 1e6)} MB`,
      );
    }, 150_000);
  });
}
