/**
 * The measuring load of the failover tests (issue 23): logged-in users each looping `GET /api/visits`
 * (one request in flight per user), recording acknowledged counters, failures and the slowest
 * answer; and {@link runFailoverScenario}, which faults a topology under it and checks the figures.
 */
import { Agent } from 'node:http';
import { expect } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoCluster } from './demo-cluster.js';
import { freshRequest, requestOnWorker } from './fresh-http.js';
import { waitFor } from './processes.js';

/** A client answers or fails within this long (the store's operation timeout is 2 s). */
const TIMEOUT = 3_000;
/** A loop that got a failure waits this long before its next request (a client, not a spin). */
const PAUSE_AFTER_FAILURE_MS = 20;
/** How long the load runs before the fault, so the last second before it is measured. */
const WARM_UP_MS = 1_500;

/** A user logged in before the fault. */
export interface LoadUser {
  readonly name: string;
  /** `sid=<value>`, as sent back. */
  readonly cookie: string;
  /** The session id inside the signed cookie value (the Redis key is `<namespace>:sess:{<id>}`). */
  readonly sessionId: string;
}

/** One acknowledged write: the counter the reply carried, when it came (epoch ms) and which worker sent it. */
export type Ack = { readonly visits: number; readonly at: number; readonly pid?: number };

/** The session id in a `sid=<id>.<signature>` cookie. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(0, value.lastIndexOf('.'));
}

/** Logs in `count` users named `<label>-<n>`, each on a connection of its own. */
export async function logInUsers(url: string, count: number, label: string): Promise<LoadUser[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const name = `${label}-${index}`;
      const reply = await freshRequest(`${url}/api/login`, { body: { user: name }, timeoutMs: TIMEOUT });
      if (reply.status !== 200 || reply.sessionCookie === undefined)
        throw new Error(`login of ${name} answered ${reply.status}: ${reply.body}`);
      return { name, cookie: reply.sessionCookie, sessionId: sessionIdOf(reply.sessionCookie) };
    }),
  );
}

/**
 * The acknowledged writes of one user that the store no longer holds. Each ack of `v` says the
 * store held `v - 1` when the request read it and `v` once it answered: a later read below an
 * acknowledged value lost that write (the counter goes on from the older value, so one final
 * comparison would miss a loss the load wrote over). `stored` is the final value (null: unread).
 */
export function lostWrites(acks: readonly Ack[], stored: number | null): Ack[] {
  const lost: Ack[] = [];
  const held: Ack[] = [];
  for (const ack of acks) {
    while ((held.at(-1)?.visits ?? 0) >= ack.visits) lost.push(...held.splice(-1));
    held.push(ack);
  }
  return stored === null ? lost : [...lost, ...held.filter(({ visits }) => visits > stored)];
}

/** Users looping `GET /api/visits` back to back, each on its own keep-alive connection. */
export class VisitsLoad {
  /** Each user's acknowledged writes, in order. */
  readonly acks: Ack[][];
  /** Failures by cause: an HTTP status (`HTTP 503`), a network error code or `timeout`. */
  readonly failures: Record<string, number> = {};
  /** When the last failure came (epoch ms), if any. */
  lastFailureAt: number | undefined;
  requests = 0;
  maxLatencyMs = 0;
  private halted = false;
  private readonly loops: Array<Promise<void>> = [];

  constructor(
    private readonly url: string,
    private readonly users: readonly LoadUser[],
  ) {
    this.acks = users.map(() => []);
  }

  /** Starts one loop per user; each ends by itself after `maxDurationMs`. */
  start(maxDurationMs: number): this {
    const deadline = Date.now() + maxDurationMs;
    this.users.forEach((_, index) => this.loops.push(this.loop(index, deadline)));
    return this;
  }

  /** Sends no further request and waits for those in flight. */
  async stop(): Promise<void> {
    this.halted = true;
    await Promise.all(this.loops);
  }

  private async loop(index: number, deadline: number): Promise<void> {
    const { cookie } = this.users[index];
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (!this.halted && Date.now() < deadline) {
      const sentAt = Date.now();
      this.requests += 1;
      let cause: string | undefined;
      try {
        const reply = await freshRequest(`${this.url}/api/visits`, { cookie, agent, timeoutMs: TIMEOUT });
        const { visits, pid } = (reply.json ?? {}) as { visits?: unknown; pid?: unknown };
        if (reply.status === 200 && typeof visits === 'number')
          this.acks[index].push({ visits, at: Date.now(), pid: typeof pid === 'number' ? pid : undefined });
        else cause = `HTTP ${reply.status}`;
      } catch (error) {
        cause = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
      const at = Date.now();
      this.maxLatencyMs = Math.max(this.maxLatencyMs, at - sentAt);
      if (cause === undefined) continue;
      this.failures[cause] = (this.failures[cause] ?? 0) + 1;
      this.lastFailureAt = at;
      await sleep(PAUSE_AFTER_FAILURE_MS);
    }
    agent.destroy();
  }
}

/** Polls `GET /health` every 100 ms, recording each answer's status (0: no answer), until stopped. */
function watchHealth(url: string) {
  const samples: Array<{ readonly at: number; readonly status: number }> = [];
  let halted = false;
  const running = (async () => {
    while (!halted) {
      const reply = freshRequest(`${url}/health`, { timeoutMs: TIMEOUT }).then(({ status }) => status);
      const status = await reply.catch(() => 0);
      samples.push({ at: Date.now(), status });
      await sleep(100);
    }
  })();
  return {
    /** When `/health` first answered 503 after `from`, and when it next answered 200. */
    downAndUp(from: number): { downAt?: number; upAt?: number } {
      const down = samples.find(({ at, status }) => at >= from && status === 503);
      return {
        downAt: down?.at,
        upAt: down && samples.find(({ at, status }) => at > down.at && status === 200)?.at,
      };
    },
    stop: async () => {
      halted = true;
      await running;
    },
  };
}

/** One scenario: a fault of a topology, under load, on a demo, and the bounds for it. */
export interface FailoverScenario {
  readonly topology: 'sentinel' | 'cluster';
  readonly fault: string;
  readonly durable: boolean;
  readonly demo: DemoCluster;
  readonly users: readonly LoadUser[];
  /** The users whose sessions the fault touches (by index); default all. */
  readonly affected?: readonly number[];
  /** Causes the fault (the load runs meanwhile); the clock starts as it is called. */
  readonly inject: () => Promise<unknown>;
  /** Session routes answer again within this long after the fault (the last failure). */
  readonly recoveryBoundMs: number;
  /**
   * `none`; `last second`: at most the affected users' writes acknowledged in the second before
   * the fault; `about a second`: the lost writes were acknowledged within one span of at most
   * {@link LOSS_SPAN_MS}, around the fault (a Sentinel switch, followed at `+switch-master`).
   */
  readonly lostBound: 'none' | 'last second' | 'about a second';
  /** For kill -9: `/health` must answer 503 and then 200 again. */
  readonly healthDownAndUp: boolean;
}

/** The figures of one scenario, printed as one JSON line. */
export interface FailoverFigures {
  readonly topology: string;
  readonly fault: string;
  readonly durable: boolean;
  /** From the fault to the last failure (0 without failures). */
  readonly recoveryMs: number;
  readonly failures: Readonly<Record<string, number>>;
  /** Writes of the affected users acknowledged in the second before the fault. */
  readonly ackedInLastSecond: number;
  /** Acknowledged writes the store no longer held ({@link lostWrites}), and when they were acknowledged. */
  readonly lost: number;
  readonly lostAckedMs: readonly [number, number] | null;
  readonly maxLatencyMs: number;
  readonly requests: number;
  readonly acked: number;
  /** From the fault to `/health` answering 503, and to its next 200. */
  readonly healthDownMs: number | null;
  readonly healthUpMs: number | null;
  /** From sending a broadcast after recovery to its arrival in every inbox (null: not within 5 s). */
  readonly broadcastMs: number | null;
  /**
   * Where a user's counter went back (at most 5, only when writes were lost): the last ack before
   * and the first after, each as `visits@ms after the fault/worker pid`.
   */
  readonly setbacks?: readonly string[];
}

/** The load stops once no request failed for 2 s, at least 6 s (or the recovery bound) after the fault. */
const QUIET_MS = 2_000;
const MIN_RUN_MS = 6_000;
/** Longest span of acknowledgements a Sentinel switch may lose ("about a second"). */
const LOSS_SPAN_MS = 1_500;

/**
 * Runs the load, injects the fault, lets the load settle, reads every session back, broadcasts,
 * prints the figures as one JSON line and asserts the scenario's bounds.
 */
export async function runFailoverScenario(scenario: FailoverScenario): Promise<FailoverFigures> {
  const { demo, users } = scenario;
  const pidsBefore = (await demo.workerPids()).sort();
  const runMs = scenario.recoveryBoundMs + QUIET_MS + 1_000;
  const load = new VisitsLoad(demo.url, users).start(WARM_UP_MS + runMs);
  const health = watchHealth(demo.url);
  await sleep(WARM_UP_MS);
  const faultAt = Date.now();
  await scenario.inject();
  const settled = () => {
    const now = Date.now();
    const quiet = now - (load.lastFailureAt ?? faultAt) >= QUIET_MS;
    return now - faultAt >= Math.min(scenario.recoveryBoundMs, MIN_RUN_MS) && quiet ? true : undefined;
  };
  // Past the deadline the load stops by itself, and the figures say why.
  await waitFor('the load to settle', settled, faultAt + runMs - Date.now(), 50).catch(() => undefined);
  await load.stop();
  if (scenario.healthDownAndUp)
    await waitFor('/health 503 then 200', () => health.downAndUp(faultAt).upAt, 10_000, 100).catch(() => 0);
  await health.stop();
  const lastFailureAt = load.lastFailureAt;
  const readBack = await Promise.all(users.map((user) => readSession(demo.url, user)));
  const broadcast = await broadcastToAll(demo);
  const affected = scenario.affected ?? users.map((_, index) => index);
  const { downAt, upAt } = health.downAndUp(faultAt);
  const lost = users.flatMap((_, index) => lostWrites(load.acks[index], readBack[index].stored));
  const lostAt = lost.map(({ at }) => at - faultAt);
  const figures: FailoverFigures = {
    topology: scenario.topology,
    fault: scenario.fault,
    durable: scenario.durable,
    recoveryMs: lastFailureAt === undefined ? 0 : lastFailureAt - faultAt,
    failures: load.failures,
    ackedInLastSecond: affected
      .flatMap((index) => load.acks[index])
      .filter(({ at }) => at >= faultAt - 1_000 && at <= faultAt).length,
    lost: lost.length,
    lostAckedMs: lost.length === 0 ? null : [Math.min(...lostAt), Math.max(...lostAt)],
    maxLatencyMs: load.maxLatencyMs,
    requests: load.requests,
    acked: load.acks.reduce((sum, acks) => sum + acks.length, 0),
    healthDownMs: downAt === undefined ? null : downAt - faultAt,
    healthUpMs: upAt === undefined ? null : upAt - faultAt,
    broadcastMs: broadcast.ms,
    ...(lost.length > 0 ? { setbacks: setbacks(load.acks, faultAt) } : {}),
  };
  console.log(JSON.stringify(figures));
  const bound = scenario.recoveryBoundMs;
  const maxLost = { none: 0, 'last second': figures.ackedInLastSecond, 'about a second': Infinity }[
    scenario.lostBound
  ];
  const [firstLost, lastLost] = figures.lostAckedMs ?? [0, 0];
  const lossSpanOk = lastLost - firstLost <= LOSS_SPAN_MS && firstLost >= -1_000 && lastLost <= 2_000;
  const backAfter = load.acks.filter((acks) => (acks.at(-1)?.at ?? 0) > (lastFailureAt ?? 0)).length;
  const pidsAfter = (await demo.workerPids()).sort();
  const other = Object.keys(figures.failures).filter((cause) => cause !== 'HTTP 503');
  const problems = [
    figures.recoveryMs > bound && `failures went on ${figures.recoveryMs} ms after the fault (> ${bound})`,
    backAfter < users.length && `${users.length - backAfter} users had no ack after the last failure`,
    figures.maxLatencyMs >= TIMEOUT && `a request hung (${figures.maxLatencyMs} ms)`,
    other.length > 0 && `failures other than 503: ${other.join(', ')}`,
    figures.lost > maxLost && `${figures.lost} acknowledged writes lost (at most ${maxLost})`,
    !lossSpanOk &&
      `lost writes were acknowledged ${firstLost}..${lastLost} ms after the fault (one span of at most ${LOSS_SPAN_MS} ms around it)`,
    scenario.healthDownAndUp && figures.healthUpMs === null && '/health was not seen 503 and then 200',
    readBack.some(({ stored }) => stored === null) && 'a counter could not be read back after the load',
    readBack.some(({ user }, index) => user !== users[index].name) && 'a user is no longer logged in',
    pidsAfter.join() !== pidsBefore.join() && `worker pids ${pidsBefore.join()} became ${pidsAfter.join()}`,
    demo.process.child.exitCode !== null && `the demo exited (${demo.process.child.exitCode})`,
    figures.broadcastMs === null && `the broadcast after recovery (${broadcast.status}) missed an inbox`,
  ].filter((problem) => problem !== false);
  expect({ problems, figures }).toEqual({ problems: [], figures });
  return figures;
}

/** Each place where a user's counter went back (at most 5), to show which worker read what, when. */
function setbacks(acks: readonly (readonly Ack[])[], faultAt: number): string[] {
  const show = ({ visits, at, pid }: Ack) => `${visits}@${at - faultAt}/${pid ?? '?'}`;
  return acks
    .flatMap((mine, user) =>
      mine
        .slice(1)
        .flatMap((ack, i) =>
          ack.visits <= mine[i].visits ? [`user ${user}: ${show(mine[i])} -> ${show(ack)}`] : [],
        ),
    )
    .slice(0, 5);
}

/** The counter a session holds now (`/api/visits` answers it plus one; null: no answer) and its user. */
async function readSession(url: string, { cookie }: LoadUser) {
  const visit = await freshRequest(`${url}/api/visits`, { cookie, timeoutMs: TIMEOUT }).catch(() => null);
  const visits = (visit?.json as { visits?: unknown } | undefined)?.visits;
  const who = await freshRequest(`${url}/api/whoami`, { cookie, timeoutMs: TIMEOUT }).catch(() => null);
  const user = (who?.json as { user?: unknown } | undefined)?.user;
  return { stored: visit?.status === 200 && typeof visits === 'number' ? visits - 1 : null, user };
}

/** Sends one broadcast and times its arrival in every worker's inbox (null: not within 5 s). */
async function broadcastToAll(demo: DemoCluster): Promise<{ status: number; ms: number | null }> {
  const sentAt = Date.now();
  const body = { message: 'after the failover' };
  const url = `${demo.url}/api/cluster/broadcast`;
  const sent = await freshRequest(url, { body, timeoutMs: TIMEOUT }).catch(() => null);
  if (sent?.status !== 202) return { status: sent?.status ?? 0, ms: null };
  const id = (sent.json as { id?: unknown } | undefined)?.id;
  const everywhere = async (): Promise<true | undefined> => {
    for (const pid of await demo.workerPids()) {
      const inbox = await requestOnWorker(`${demo.url}/api/cluster/inbox`, { pid }, { timeoutMs: 2_000 });
      const messages = (inbox.json as { messages?: Array<{ id?: unknown }> } | undefined)?.messages ?? [];
      if (!messages.some((message) => message.id === id)) return undefined;
    }
    return true;
  };
  const arrived = await waitFor('the broadcast in every inbox', everywhere, 5_000, 50).catch(() => false);
  return { status: sent.status, ms: arrived ? Date.now() - sentAt : null };
}
