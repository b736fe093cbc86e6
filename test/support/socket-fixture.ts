import { freePort, startNode, waitFor, type RunningProcess } from './processes.js';

/** The socket.io fixture (`test/fixtures/socket`) running on a cluster. */
export interface SocketFixture {
  readonly url: string;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

/** Starts the fixture and waits until its cluster is ready. */
export async function startSocketFixture(env: Record<string, string> = {}): Promise<SocketFixture> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode('dist-test/fixtures/socket/app.js', { PORT: String(port), WORKERS: '2', ...env });
  try {
    await waitFor(
      'the socket fixture',
      () => (/Cluster ready/.test(child.output()) ? true : undefined),
      30_000,
    );
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return { url, process: child, stop: () => child.stop() };
}
