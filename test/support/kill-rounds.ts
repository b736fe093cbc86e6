import { setTimeout as sleep } from 'node:timers/promises';
import { CounterLoad, type CounterClient, type CounterFailure, type CounterRoute } from './counter-load.js';
import { waitFor, type RunningProcess } from './processes.js';
import { killWholeCluster } from './whole-cluster-kill.js';

/** A cluster serving on a session file. */
export interface ServingCluster {
  readonly url: string;
  readonly process: RunningProcess;
}

/** Settings of {@link killRounds}. */
export interface KillRoundsOptions {
  /** The cluster to start with, serving. */
  readonly first: ServingCluster;
  /** Starts the app again on the same session file; resolves once every worker serves. */
  readonly restart: () => Promise<ServingCluster>;
  /** How to write and read a client's counter on the cluster at `url`. */
  readonly routeFor: (url: string) => CounterRoute;
  /** The sessions written, one loop each. */
  readonly clients: CounterClient[];
  readonly rounds: number;
  /** Workers each cluster runs: all of them are killed with the primary. */
  readonly workers: number;
  /** Writes every client has acknowledged in a round before the kill may come. */
  readonly minAcksBeforeKill: number;
  /** The kill comes up to this long after that, at a random moment. */
  readonly maxExtraMs: number;
  /** Random numbers in [0, 1) (seeded, to replay a run). */
  readonly random: () => number;
}

/** What one client's counter was at a kill and what the restarted cluster found. */
export interface ClientAfterKill {
  readonly cookie: string;
  /** The highest value acknowledged (a 200) before the cluster died. */
  readonly acked: number;
  /** The highest value sent. */
  readonly sent: number;
  /** The value the restarted cluster holds. */
  readonly stored: number;
}

/** One round of {@link killRounds}. */
export interface KillRound {
  /** The pids killed, the primary first. */
  readonly killed: number[];
  /** When, after every client had its first acknowledgements, the kill came. */
  readonly extraMs: number;
  /** Writes acknowledged in the round (all clients). */
  readonly ackedWrites: number;
  /** Writes not acknowledged before the kill (there must be none). */
  readonly failuresBeforeKill: CounterFailure[];
  readonly clients: ClientAfterKill[];
  /** From the restart's spawn until every worker served. */
  readonly restartMs: number;
  /** The restarted cluster's output up to its first answers. */
  readonly restartOutput: string;
}

/**
 * Rounds of: client loops writing increasing counters into their sessions; at a random moment,
 * `kill -9` of the primary and every worker at once; a restart on the same session file, which
 * must come up; then each client's stored counter is read. Resolves the rounds and the cluster
 * running at the end (the caller stops it).
 */
export async function killRounds(
  options: KillRoundsOptions,
): Promise<{ rounds: KillRound[]; last: ServingCluster }> {
  const rounds: KillRound[] = [];
  let cluster = options.first;
  for (let round = 0; round < options.rounds; round++) {
    const load = new CounterLoad(options.clients, options.routeFor(cluster.url), 30_000).start();
    await waitFor(
      `every client to have ${options.minAcksBeforeKill} writes acknowledged`,
      () => (load.everyClientAcked(options.minAcksBeforeKill) ? true : undefined),
      15_000,
      10,
    );
    // Not a synchronisation: the kill is meant to land at an arbitrary point of the load.
    const extraMs = Math.floor(options.random() * options.maxExtraMs);
    await sleep(extraMs);
    const killedAt = Date.now();
    const killed = await killWholeCluster(cluster.process);
    if (killed.length !== options.workers + 1) {
      throw new Error(`expected a primary and ${options.workers} workers, killed ${killed.join(', ')}`);
    }
    await load.stop();
    const ackedWrites = options.clients.reduce((sum, client) => sum + client.ackedThisLoad, 0);
    const failuresBeforeKill = load.failures.filter((failure) => failure.at < killedAt);
    const started = Date.now();
    cluster = await options.restart();
    const restartMs = Date.now() - started;
    const restartOutput = cluster.process.output();
    const route = options.routeFor(cluster.url);
    const clients: ClientAfterKill[] = [];
    for (const client of options.clients) {
      const { stored, now } = await route.read(client.cookie);
      clients.push({ cookie: client.cookie, acked: client.acked, sent: client.sent, stored });
      client.acked = now;
      client.sent = Math.max(client.sent, now);
    }
    rounds.push({ killed, extraMs, ackedWrites, failuresBeforeKill, clients, restartMs, restartOutput });
  }
  return { rounds, last: cluster };
}

/** A small seeded generator of numbers in [0, 1) (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
