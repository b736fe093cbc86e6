/**
 * Clusters of the leader fixture (`test/fixtures/leader`) and the log their leader-only job
 * writes: one line per tick, with the time, the pid that ran it and its fencing token.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshRequest } from './fresh-http.js';
import { freePort, startNode, waitFor, type RunningProcess } from './processes.js';

/** One tick of the leader-only job. */
export interface Tick {
  readonly at: number;
  readonly pid: number;
  readonly token: number;
}

/** What `GET /l/who` answers. */
export interface WhoReply {
  readonly pid: number;
  readonly isLeader: boolean;
  readonly leader: { workerId: number; pid: number; hostname: string; fencingToken: number } | null;
}

/** A running leader fixture. */
export interface LeaderCluster {
  readonly url: string;
  readonly process: RunningProcess;
  who(): Promise<WhoReply>;
  /** SIGKILLs the primary and every worker at once: the machine died. */
  killMachine(): void;
  stop(): Promise<void>;
}

/** A tick log in a fresh directory, read back as ticks. */
export class TickLog {
  private readonly dir = mkdtempSync(join(tmpdir(), 'nest-hive-leader-'));
  /** The file the fixtures append to. */
  readonly path = join(this.dir, 'ticks.log');

  /** The ticks so far, in the order they were written. */
  ticks(): Tick[] {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [at, pid, token] = line.split(' ').map(Number);
        return { at: at ?? 0, pid: pid ?? 0, token: token ?? 0 };
      });
  }

  /** Ticks written after `since` (epoch ms). */
  since(since: number): Tick[] {
    return this.ticks().filter((tick) => tick.at > since);
  }

  /** Removes the directory. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Each leader's span of ticks, in order: `{ pid, first, last, tokens }`. At most one leader at a
 * time means these spans never overlap, and each leader leads once in these tests.
 */
export function leaderSpans(
  ticks: readonly Tick[],
): Array<{ pid: number; first: number; last: number; tokens: number[] }> {
  const spans = new Map<number, { pid: number; first: number; last: number; tokens: number[] }>();
  for (const tick of ticks) {
    const span = spans.get(tick.pid) ?? { pid: tick.pid, first: tick.at, last: tick.at, tokens: [] };
    span.first = Math.min(span.first, tick.at);
    span.last = Math.max(span.last, tick.at);
    if (!span.tokens.includes(tick.token)) span.tokens.push(tick.token);
    spans.set(tick.pid, span);
  }
  return [...spans.values()].sort((a, b) => a.first - b.first);
}

/** Starts the fixture and waits until a leader ticks. */
export async function startLeaderCluster(
  log: TickLog,
  env: Record<string, string> = {},
): Promise<LeaderCluster> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode('dist-test/fixtures/leader/app.js', {
    PORT: String(port),
    FIXTURE_TICK_LOG: log.path,
    ...env,
  });
  const who = async (): Promise<WhoReply> =>
    (await freshRequest(`${url}/l/who`, { timeoutMs: 2_000 })).json as WhoReply;
  try {
    await waitFor('the leader fixture', () => (/READY/.test(child.output()) ? true : undefined), 30_000, 50);
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  const killMachine = (): void => {
    const primary = child.child.pid as number;
    let workers: number[] = [];
    try {
      workers = execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      // no worker left
    }
    for (const pid of [primary, ...workers]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  return { url, process: child, who, killMachine, stop: () => child.stop() };
}
