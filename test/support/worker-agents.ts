import { Agent } from 'node:http';
import { freshRequest, pidOf } from './fresh-http.js';

/** A keep-alive connection held to one worker, and that worker's pid. */
export interface PinnedAgent {
  readonly agent: Agent;
  readonly pid: number;
}

/**
 * One keep-alive connection to each of `count` different workers: opens single-socket agents on
 * `probePath` (a route whose JSON names its `pid`) until `count` pids answered; the agents of
 * repeated pids are closed. Requests through an agent's one socket all reach its worker.
 */
export async function agentsOnWorkers(url: string, probePath: string, count: number): Promise<PinnedAgent[]> {
  const found = new Map<number, PinnedAgent>();
  for (let attempt = 0; attempt < 40 && found.size < count; attempt++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const pid = pidOf(await freshRequest(url + probePath, { agent }));
    if (found.has(pid)) agent.destroy();
    else found.set(pid, { agent, pid });
  }
  if (found.size < count) throw new Error(`only ${found.size} of ${count} workers answered ${probePath}`);
  return [...found.values()];
}
