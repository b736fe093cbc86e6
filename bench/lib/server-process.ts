import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the compiled benchmark tree (`dist-test/bench`). */
export const BENCH_DIST = fileURLToPath(new URL('..', import.meta.url));
/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The environment variable that names a server's own temporary directory (its working directory
 * when {@link startServer} made one): files there are removed with it, even after a `SIGKILL`.
 */
export const SCRATCH_DIR_ENV = 'BENCH_SCRATCH_DIR';

/** A server started for a benchmark, in its own process. */
export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** How {@link startServer} runs a server, beyond its script and environment. */
export interface ServerOptions {
  /** Arguments to `node` before the script (default none). */
  nodeArgs?: string[];
  /** Output that says the server is ready; its first group is the port (default `READY <port>`). */
  readyPattern?: RegExp;
  /**
   * Working directory. Default: a fresh temporary directory of the server's own, removed once it
   * stopped, so that what a server writes relative to it (the cluster store's default session
   * file, `.nest-hive/sessions.db`) never lands in the repository nor is shared by two servers
   * (a session file takes one process at a time). `npm run bench:compare` gives each build's root.
   */
  cwd?: string;
}

/**
 * Starts `node <script>` with `env` and resolves once its output matches
 * `options.readyPattern`. The process is killed if it is not ready in 30 s.
 */
export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const readyPattern = options.readyPattern ?? /READY (\d+)/;
  const ownDir = options.cwd === undefined ? mkdtempSync(join(tmpdir(), 'nest-hive-bench-')) : undefined;
  const removeOwnDir = (): void => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: options.cwd ?? ownDir,
    env: { ...process.env, NODE_ENV: 'production', ...(ownDir && { [SCRATCH_DIR_ENV]: ownDir }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in 30 s:\n${log}`));
    }, 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = readyPattern.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      removeOwnDir();
      reject(new Error(`${name} exited with ${code} before it was ready:\n${log}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      removeOwnDir();
    },
  };
}
