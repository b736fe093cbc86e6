import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { makeWorkingDirectory, privateWorkingDirectory } from '../../support/processes.js';

/** The compiled fixture (built by `npm run build`). */
export const FIXTURE_ENTRY = resolve(process.cwd(), 'dist-test/fixtures/cluster/app.js');

/** One JSON line the fixture reported. */
export interface FixtureLine {
  readonly fixture: true;
  readonly source: 'primary' | 'worker';
  readonly type: string;
  readonly pid: number;
  readonly [key: string]: unknown;
}

/** A lifecycle event as the fixture primary reports it. */
export interface ReportedEvent {
  readonly type: string;
  readonly workerId: number;
  readonly slot: number;
  readonly pid: number;
  readonly at: number;
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly reason?: string;
}

/** A reply to a stdin command. */
export interface CommandReply {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: { readonly name: string; readonly message: string; readonly [key: string]: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isFixtureLine(value: unknown): value is FixtureLine {
  return (
    isRecord(value) &&
    value.fixture === true &&
    typeof value.type === 'string' &&
    typeof value.pid === 'number'
  );
}

function isReportedEvent(value: unknown): value is ReportedEvent {
  return isRecord(value) && typeof value.type === 'string' && typeof value.workerId === 'number';
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether a process is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function until(description: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 20));
  }
}

/**
 * A running fixture cluster: `node dist-test/fixtures/cluster/app.js` spawned with FIXTURE_*
 * variables. It parses the JSON lines on stdout, sends JSON commands on stdin, and kills every
 * process it saw (primary and workers) by pid in `stop()`.
 */
export class ClusterFixture {
  /** Every JSON line so far. */
  readonly lines: FixtureLine[] = [];
  /** Every raw output line so far (stdout and stderr), for failure messages. */
  readonly output: string[] = [];
  /** Resolves with the primary's exit. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The port the workers listen on. */
  readonly port: number;
  private readonly listeners = new Set<() => void>();
  private nextCommandId = 1;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    private readonly child: ChildProcess,
    port: number,
  ) {
    this.port = port;
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolveExit({ code, signal });
      });
    });
    let buffer = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        this.take(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) this.output.push(`[stderr] ${line}`);
      this.notify();
    });
  }

  /** Starts a fixture cluster with the given FIXTURE_* settings (a free port is chosen). */
  static async start(
    env: Record<string, string>,
    options: { readonly ownProcessGroup?: boolean } = {},
  ): Promise<ClusterFixture> {
    if (!existsSync(FIXTURE_ENTRY))
      throw new Error(`${FIXTURE_ENTRY} is missing: run "npm run build" first.`);
    const port = env.FIXTURE_PORT ? Number(env.FIXTURE_PORT) : await freePort();
    const cwd = makeWorkingDirectory();
    const child = spawn(process.execPath, [FIXTURE_ENTRY], {
      cwd,
      env: { ...process.env, FIXTURE_PORT: String(port), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, like a program started from a terminal: see signalGroup().
      detached: options.ownProcessGroup === true,
    });
    privateWorkingDirectory(child, cwd);
    return new ClusterFixture(child, port);
  }

  /** The primary's pid. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The primary's exit, if it happened. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Base URL of the workers' shared port. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Lifecycle events reported so far. */
  events(type?: string): ReportedEvent[] {
    const events: ReportedEvent[] = [];
    for (const line of this.lines) {
      if (line.source !== 'primary' || line.type !== 'event') continue;
      const event = line.event;
      if (isReportedEvent(event) && (type === undefined || event.type === type)) events.push(event);
    }
    return events;
  }

  /** Lines of one type. */
  linesOf(type: string, source?: 'primary' | 'worker'): FixtureLine[] {
    return this.lines.filter(
      (line) => line.type === type && (source === undefined || line.source === source),
    );
  }

  /** Waits until `pick` returns something for the lines so far (re-checked on each new line). */
  waitFor<T>(description: string, pick: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolveWait, reject) => {
      const check = (): boolean => {
        const found = pick();
        if (found === undefined) return false;
        cleanup();
        resolveWait(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.\n${this.tail()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = (): void => void check();
      this.listeners.add(listener);
      check();
    });
  }

  /** Waits for the `bootstrapped` line (all N workers ready). */
  bootstrapped(timeoutMs = 20_000): Promise<FixtureLine> {
    return this.waitFor(
      'the cluster to be bootstrapped',
      () => this.linesOf('bootstrapped', 'primary')[0],
      timeoutMs,
    );
  }

  /** Waits for the n-th event matching `predicate`. */
  waitForEvent(
    description: string,
    predicate: (event: ReportedEvent) => boolean,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<ReportedEvent[]> {
    return this.waitFor(
      description,
      () => {
        const matching = this.events().filter(predicate);
        return matching.length >= count ? matching : undefined;
      },
      timeoutMs,
    );
  }

  /** Sends a command to the primary and waits for its reply. */
  async command(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<CommandReply> {
    const id = this.nextCommandId++;
    this.child.stdin?.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    const line = await this.waitFor(
      `a reply to ${cmd}`,
      () => this.lines.find((candidate) => candidate.type === 'reply' && candidate.id === id),
      timeoutMs,
    );
    const error = line.error;
    return {
      ok: line.ok === true,
      value: line.value,
      error: isRecord(error)
        ? { ...error, name: String(error.name), message: String(error.message) }
        : undefined,
    };
  }

  /** Sends a signal to the primary. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /**
   * Sends a signal to the whole process group (primary and workers), as a terminal does on
   * Ctrl-C. Only for fixtures started with `ownProcessGroup`.
   */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.pid, signal);
  }

  /** Waits for the primary to exit. */
  async waitForExit(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.waitFor('the primary to exit', () => this.exitInfo, timeoutMs);
  }

  /** Every pid seen: primary and every worker ever forked. */
  pids(): number[] {
    const pids = new Set<number>([this.pid]);
    for (const line of this.lines) pids.add(line.pid);
    for (const event of this.events()) pids.add(event.pid);
    return [...pids].filter((pid) => pid > 0);
  }

  /** Kills every process of this fixture that is still alive (SIGKILL by pid). */
  async stop(): Promise<void> {
    for (const pid of this.pids()) {
      if (isAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    if (!this.exitInfo) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  /** The last output lines, for failure messages. */
  tail(count = 40): string {
    return this.output.slice(-count).join('\n');
  }

  private take(line: string): void {
    this.output.push(line);
    if (line.startsWith('{')) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (isFixtureLine(parsed)) this.lines.push(parsed);
      } catch {
        // not one of ours
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** GET a JSON document. */
export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** POST a JSON body and read a JSON answer. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Reads a record field, failing loudly when the shape is not as expected. */
export function field(value: unknown, key: string): unknown {
  if (!isRecord(value)) throw new Error(`Expected an object with "${key}", got ${JSON.stringify(value)}`);
  return value[key];
}
