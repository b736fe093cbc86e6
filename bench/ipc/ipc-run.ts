import { spawn } from 'node:child_process';
import type { BenchContext } from '../lib/bench-context.js';
import { BENCH_DIST, REPO_ROOT } from '../lib/server-process.js';
import { isIpcReport, type IpcReport } from './ipc-workload.js';

/** Where the IPC benchmark's compiled script is and how it runs. */
export interface IpcRunOptions {
  /** Root of the build's compiled benchmarks (default this one's, {@link BENCH_DIST}). */
  benchDist?: string;
  /** Working directory: that build's repository root (default {@link REPO_ROOT}). */
  cwd?: string;
  /** Rounds in this one run (default `context.rounds`). */
  rounds?: number;
}

/**
 * Runs the IPC benchmark (`ipc/ipc-bench.js`: a primary and one worker) with
 * the workload of `context` (smaller with `--quick`), and returns its report.
 * Rejects when the script fails, prints no report, or runs over 3 minutes.
 */
export async function runIpcBench(context: BenchContext, options: IpcRunOptions = {}): Promise<IpcReport> {
  const env = {
    ...process.env,
    IPC_MESSAGES: context.quick ? '20000' : '100000',
    IPC_ROUND_TRIPS: context.quick ? '2000' : '5000',
    IPC_ROUNDS: String(options.rounds ?? context.rounds),
  };
  const script = `${options.benchDist ?? BENCH_DIST}/ipc/ipc-bench.js`;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`IPC benchmark ${script} exited with ${code}:\n${out}\n${err}`));
    });
  });
  const line = output.split('\n').find((l) => l.startsWith('{"raw"'));
  const report: unknown = line === undefined ? undefined : JSON.parse(line);
  if (!isIpcReport(report)) throw new Error(`IPC benchmark ${script} printed no report:\n${output}`);
  return report;
}
