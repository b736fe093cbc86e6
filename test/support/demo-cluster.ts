import { freshRequest } from './fresh-http.js';
import { freePort, startNode, waitFor, type RunningProcess } from './processes.js';

/** One row of the demo's worker table. */
export interface DemoWorker {
  id: number;
  slot: number;
  pid: number;
  state: string;
  startedAt: number;
  readyAt: number | null;
}

/** The compiled demo running on a cluster. */
export interface DemoCluster {
  url: string;
  process: RunningProcess;
  /** Current worker pids, from `/api/cluster/workers`. */
  workerPids(): Promise<number[]>;
  /** The primary's worker table, from `/api/cluster/workers`. */
  workers(): Promise<DemoWorker[]>;
  stop(): Promise<void>;
}

/** A 48-character secret for demo runs. */
export const DEMO_SECRET = 'Qm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0Ie-_Ru2Ty7Uo4Pz9Xa';

/** Starts `apps/demo/dist/main.js` with `workers` workers and waits until all are ready. */
export async function startDemoCluster(
  workers: number,
  env: Record<string, string> = {},
): Promise<DemoCluster> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode('apps/demo/dist/main.js', {
    PORT: String(port),
    WORKERS: String(workers),
    SESSION_SECRET: DEMO_SECRET,
    ...env,
  });
  const table = async (): Promise<DemoWorker[]> => {
    const reply = await freshRequest(`${url}/api/cluster/workers`, { timeoutMs: 2_000 });
    return (reply.json as { workers: DemoWorker[] }).workers;
  };
  const workerPids = async (): Promise<number[]> =>
    (await table()).filter((w) => w.state === 'ready').map((w) => w.pid);
  try {
    await waitFor(
      `the demo with ${workers} workers`,
      async () => {
        if (!/demo ready/.test(child.output())) return undefined;
        return (await workerPids()).length === workers ? true : undefined;
      },
      30_000,
      100,
    );
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return { url, process: child, workerPids, workers: table, stop: () => child.stop() };
}
