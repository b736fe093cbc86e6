/**
 * Machines for the Redis read cache tests: each a two-worker cluster of test/fixtures/cluster-cache
 * on Redis, with its workers reachable one by one; and a reader that checks, under a fault, that no
 * read returns a value older than the writes acknowledged a bound before it started.
 */
import { expect } from '@jest/globals';
import { freshRequest, pidOf } from './fresh-http.js';
import { freePort, startNode, waitFor, type RunningProcess } from './processes.js';
import { TEST_SECRET } from './session-app.js';
import { agentsOnWorkers, type PinnedAgent } from './worker-agents.js';

/** A cluster of two workers, as one machine of a fleet. */
export interface Machine {
  readonly url: string;
  readonly workers: readonly PinnedAgent[];
  stop(): Promise<void>;
}

/** What `/c/read` answers. */
export interface ReadReply {
  pid: number;
  user: string | null;
  n: number | null;
}

/** Starts a machine on Redis with `env` (the fixture's `FIXTURE_*` settings). */
export async function startMachine(env: Record<string, string>): Promise<Machine> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cluster: RunningProcess = startNode('dist-test/fixtures/cluster-cache/app.js', {
    PORT: String(port),
    FIXTURE_SECRET: TEST_SECRET,
    FIXTURE_STORE: 'redis',
    ...env,
  });
  await waitFor('the cluster', () => (/READY/.test(cluster.output()) ? true : undefined), 30_000);
  const workers = await agentsOnWorkers(url, '/c/pid', 2);
  return {
    url,
    workers,
    stop: async () => {
      for (const worker of workers) worker.agent.destroy();
      await cluster.stop();
    },
  };
}

/** Logs `user` in on `machine`; returns the cookie. */
export async function logIn(machine: Machine, user: string): Promise<string> {
  const reply = await freshRequest(`${machine.url}/c/login?user=${user}`);
  expect(reply.status).toBe(200);
  if (reply.sessionCookie === undefined) throw new Error('the login set no cookie');
  return reply.sessionCookie;
}

/** Reads the session on one worker (pinned), or on whichever worker answers. */
export async function readOn(
  machine: Machine,
  cookie: string,
  worker?: PinnedAgent,
): Promise<{ status: number; reply: ReadReply }> {
  const reply = await freshRequest(`${machine.url}/c/read`, {
    cookie,
    agent: worker?.agent,
    timeoutMs: 10_000,
  });
  if (worker && reply.status === 200) expect(pidOf(reply)).toBe(worker.pid);
  return { status: reply.status, reply: reply.json as ReadReply };
}

/** Reads `worker` answered from a copy since it started. */
export async function workerHits(machine: Machine, worker: PinnedAgent): Promise<number> {
  const reply = await freshRequest(`${machine.url}/c/stats`, { agent: worker.agent });
  expect(pidOf(reply)).toBe(worker.pid);
  return (reply.json as { hits: number }).hits;
}

/**
 * Reads answered from a copy by every worker of `machine`, summed; asked on new connections until
 * each worker answered (a pinned connection may have been closed for idleness meanwhile).
 */
export async function cacheHits(machine: Machine): Promise<number> {
  const hits = new Map<number, number>();
  for (let attempt = 0; hits.size < machine.workers.length; attempt++) {
    expect(attempt).toBeLessThan(50);
    const reply = await freshRequest(`${machine.url}/c/stats`);
    hits.set(pidOf(reply), (reply.json as { hits: number }).hits);
  }
  return [...hits.values()].reduce((sum, value) => sum + value, 0);
}

/** Reads `cookie`'s session on each worker until each answers from a copy (its lease runs), within 5 s. */
export async function untilCopiesServed(machine: Machine, cookie: string): Promise<void> {
  for (const worker of machine.workers) {
    const since = performance.now();
    for (;;) {
      const before = await workerHits(machine, worker);
      await readOn(machine, cookie, worker);
      if ((await workerHits(machine, worker)) > before) break;
      expect(performance.now() - since).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The acknowledged writes of a value that only grows, and reads checked against them. */
export class MonotonicLedger {
  /** When each value was acknowledged (`performance.now()`), in the order written. */
  private readonly acknowledged: { value: number; at: number }[] = [];
  reads = 0;
  staleReads = 0;
  /** The longest a read lagged behind a value acknowledged before it started (ms). */
  worstLagMs = 0;

  /** Value `value` was acknowledged now. */
  acknowledge(value: number): void {
    this.acknowledged.push({ value, at: performance.now() });
  }

  /**
   * A read that started at `startedAt` saw `value`: it may lag behind the values acknowledged
   * before it by less than `boundMs`, never more.
   */
  check(startedAt: number, value: number, boundMs: number): void {
    this.reads += 1;
    const newer = this.acknowledged.find((write) => write.value > value && write.at < startedAt);
    if (!newer) return;
    this.staleReads += 1;
    const lag = startedAt - newer.at;
    this.worstLagMs = Math.max(this.worstLagMs, lag);
    expect(lag).toBeLessThan(boundMs);
  }
}
