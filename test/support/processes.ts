import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process with its output collected. */
export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process exits. */
  exited: Promise<number | string>;
  /** Sends a signal if the process still runs. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the process (if it still runs) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * A fresh working directory for one child process, removed when it exits: what a process writes
 * relative to its working directory (the default session file, `.nest-hive/sessions.db`) is its
 * own, so processes of tests running side by side never share a file.
 */
export function privateWorkingDirectory(child: ChildProcess, dir: string): void {
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
}

/** Makes a directory for {@link privateWorkingDirectory}. */
export function makeWorkingDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'nest-hive-cwd-'));
}

/** Turns a command line into the one that runs it elsewhere (on a test host: `ip netns exec <host> …`). */
export type CommandWrapper = (argv: readonly string[]) => readonly [string, ...string[]];

/**
 * Starts `node <script>` (a path relative to the repository root) with extra environment, in a
 * working directory of its own (see {@link privateWorkingDirectory}); `wrap` runs it elsewhere.
 */
export function startNode(
  script: string,
  env: Record<string, string> = {},
  args: string[] = [],
  wrap: CommandWrapper = (argv) => [argv[0], ...argv.slice(1)],
): RunningProcess {
  const cwd = makeWorkingDirectory();
  const [command, ...argv] = wrap([process.execPath, resolve(ROOT, script), ...args]);
  const child = spawn(command, argv, {
    cwd,
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  privateWorkingDirectory(child, cwd);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => output,
    exited,
    signal: (signal) => {
      if (running() && child.pid) process.kill(child.pid, signal);
    },
    stop: async () => {
      if (running() && child.pid) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a value (not `undefined`) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}

/** Waits until `url` answers HTTP 200. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${url} to answer`, async () => ((await fetch(url)).ok ? true : undefined), timeoutMs);
}
