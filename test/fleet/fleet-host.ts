/**
 * One machine of the fleet: the compiled demo, a cluster of 2 workers, started inside the host's
 * network namespace on its own address, port 3000, as a process manager would start it there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoWorker } from '../support/demo-cluster.js';
import { DEMO_SECRET } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { startNode, waitFor, type RunningProcess } from '../support/processes.js';
import type { FleetNetwork } from './fleet-network.js';

/** The demo's port on every host. */
export const HOST_PORT = 3000;
/** Workers per host. */
export const HOST_WORKERS = 2;

/** A demo cluster on one test host. */
export class FleetHost {
  private running: RunningProcess | undefined;

  /**
   * @param network - the fleet's network.
   * @param name - the host (`h1`, `h2`).
   * @param env - the demo's environment: where Redis is, and its namespace.
   */
  constructor(
    private readonly network: FleetNetwork,
    readonly name: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /** `http://<host address>:3000`, straight to the host (not through the balancer). */
  get url(): string {
    return `http://${this.network.host(this.name).address}:${HOST_PORT}`;
  }

  /** The primary process (throws when the host is not running). */
  get primary(): RunningProcess {
    if (this.running === undefined) throw new Error(`Host ${this.name} is not running`);
    return this.running;
  }

  /** Starts the demo on the host and waits (bounded) until its workers are ready. */
  async start(): Promise<void> {
    if (this.running !== undefined) throw new Error(`Host ${this.name} is already running`);
    const env = {
      PORT: String(HOST_PORT),
      WORKERS: String(HOST_WORKERS),
      SESSION_SECRET: DEMO_SECRET,
      ...this.env,
    };
    const running = startNode('apps/demo/dist/main.js', env, [], this.network.wrapper(this.name));
    this.running = running;
    try {
      await waitFor(
        `the demo on ${this.name} with ${HOST_WORKERS} ready workers`,
        async () => {
          if (running.child.exitCode !== null) throw new Error('the demo exited');
          if (!/demo ready/.test(running.output())) return undefined;
          return (await this.workerPids()).length === HOST_WORKERS ? true : undefined;
        },
        45_000,
        100,
      );
    } catch (error) {
      await this.kill();
      throw new Error(`${(error as Error).message}\n${running.output()}`);
    }
  }

  /** The primary's worker table, asked on the host's own address. */
  async workers(): Promise<DemoWorker[]> {
    const reply = await freshRequest(`${this.url}/api/cluster/workers`, { timeoutMs: 2_000 });
    return (reply.json as { workers: DemoWorker[] }).workers;
  }

  /** Pids of its ready workers. */
  async workerPids(): Promise<number[]> {
    return (await this.workers()).filter(({ state }) => state === 'ready').map(({ pid }) => pid);
  }

  /** Kills every process of the host (`kill -9`), as a machine that dies; returns their pids. */
  async kill(): Promise<number[]> {
    const killed = await this.network.killAll(this.name);
    await this.running?.exited;
    this.running = undefined;
    return killed;
  }

  /** Stops the demo as a process manager does (`SIGTERM` to the primary) and waits (bounded) for it to exit; returns its exit code. */
  async stop(timeoutMs = 30_000): Promise<number | string> {
    const running = this.primary;
    running.signal('SIGTERM');
    const code = await Promise.race([running.exited, sleep(timeoutMs).then(() => 'still running')]);
    if (code === 'still running') {
      await this.kill();
      throw new Error(`The demo on ${this.name} did not exit within ${timeoutMs} ms of SIGTERM`);
    }
    this.running = undefined;
    return code;
  }

  /** Output of the demo so far (for failure messages). */
  output(): string {
    return this.running?.output() ?? '';
  }
}
