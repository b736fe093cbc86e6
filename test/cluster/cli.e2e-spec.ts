/**
 * Issue 27, point 4: the `nest-hive` command line against running demo clusters, over the
 * primary's owner-only control socket: `status`, `reload`, `scale <n>`, `--pid`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { ROOT, waitFor } from '../support/processes.js';

const CLI = join(ROOT, 'libs/cluster/dist/cli/nest-hive.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `NEST_HIVE_CONTROL_DIR=directory`. */
function cli(directory: string, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, NEST_HIVE_CONTROL_DIR: directory }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

interface StatusJson {
  primary: { pid: number; startedAt: number; node: string };
  desired: number;
  restarts: number;
  workers: Array<{
    id: number;
    slot: number;
    pid: number;
    state: string;
    rssBytes: number | null;
    restarts: number;
  }>;
}

const status = async (directory: string, ...args: string[]): Promise<StatusJson> => {
  const run = await cli(directory, 'status', '--json', ...args);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as StatusJson;
};

describe('the nest-hive CLI', () => {
  const base = mkdtempSync(join(tmpdir(), 'nest-hive-cli-'));
  const directory = join(base, 'control');
  let demo: DemoCluster;
  beforeAll(async () => {
    demo = await startDemoCluster(2, { NEST_HIVE_CONTROL_DIR: directory });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('finds the primary on its owner-only socket and shows its workers', async () => {
    const primaryPid = demo.process.child.pid as number;
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(statSync(join(directory, `primary-${primaryPid}.sock`)).mode & 0o777).toBe(0o600);
    // Memory comes with the first heartbeat, a second after a worker is ready.
    const shown = await waitFor(
      'memory of both workers',
      async () => {
        const reply = await status(directory);
        return reply.workers.every((worker) => typeof worker.rssBytes === 'number') ? reply : undefined;
      },
      10_000,
      200,
    );
    expect(shown.primary).toMatchObject({ pid: primaryPid, node: process.version });
    expect(shown.desired).toBe(2);
    expect(shown.workers.map((worker) => worker.pid).sort()).toEqual((await demo.workerPids()).sort());
    expect(
      shown.workers.every((w) => w.state === 'ready' && w.restarts === 0 && (w.rssBytes ?? 0) > 10e6),
    ).toBe(true);
    const table = await cli(directory, 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^primary ${primaryPid} · node ${process.version} · up \\d+s · 2 workers \\(desired 2\\)`),
    );
    expect(table.stdout).toMatch(/slot\s+worker\s+pid\s+state\s+memory\s+uptime\s+restarts/);
    for (const worker of shown.workers)
      expect(table.stdout).toMatch(new RegExp(`\\b${worker.pid}\\s+ready\\s+\\d+\\.\\d MiB`));
  }, 30_000);

  it('scales and reloads, answering once done', async () => {
    const scaled = await cli(directory, 'scale', '3');
    expect(scaled).toMatchObject({ code: 0, stdout: 'Scaled to 3 workers.\n' });
    const three = await status(directory);
    expect(three.desired).toBe(3);
    expect(three.workers.filter((worker) => worker.state === 'ready')).toHaveLength(3);

    const before = new Set(three.workers.map((worker) => worker.pid));
    const reloaded = await cli(directory, 'reload');
    expect(reloaded).toMatchObject({ code: 0, stdout: 'Rolling restart done: every worker was replaced.\n' });
    const after = await status(directory);
    expect(after.workers).toHaveLength(3);
    expect(after.workers.some((worker) => before.has(worker.pid))).toBe(false);
    expect(after.workers.map((worker) => worker.restarts)).toEqual([1, 1, 1]);
    expect(demo.process.output()).toMatch(/Rolling restart asked by the nest-hive CLI/);

    expect(await cli(directory, 'scale', '2')).toMatchObject({ code: 0 });
    expect((await status(directory)).workers).toHaveLength(2);
  }, 90_000);

  it('refuses a bad command line with the usage, exit code 2', async () => {
    for (const args of [['scale', 'zero'], ['scale', '2000'], ['restart'], ['status', '--pid']]) {
      const run = await cli(directory, ...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: nest-hive <command>');
    }
  });

  it('asks for --pid when several primaries run, and names a pid that runs none', async () => {
    const other = await startDemoCluster(1, { NEST_HIVE_CONTROL_DIR: directory });
    try {
      const both = await cli(directory, 'status');
      expect(both.code).toBe(2);
      expect(both.stderr).toContain(`pick one with --pid`);
      const picked = await status(directory, '--pid', String(other.process.child.pid));
      expect(picked.primary.pid).toBe(other.process.child.pid);
      expect(picked.workers).toHaveLength(1);
      const missing = await cli(directory, 'status', '--pid', '999999');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('No nest-hive primary with pid 999999');
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('opens no socket in a folder other users can enter, and says why', async () => {
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const unsafe = await startDemoCluster(1, { NEST_HIVE_CONTROL_DIR: open });
    try {
      expect(unsafe.process.output()).toMatch(
        /No control socket for the nest-hive CLI: .* is open to other users \(mode 777\)/,
      );
      const run = await cli(open, 'status');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('No running nest-hive primary found');
    } finally {
      await unsafe.stop();
    }
  }, 60_000);
});
