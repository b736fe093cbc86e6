import { describe, expect, it } from '@jest/globals';
import type { WorkerInfo } from '@nest-hive/cluster';
import { WorkerKiller, type KillableProcess } from './worker-killer.js';

/** A process stand-in that records the signals it gets. */
class RecordingProcess implements KillableProcess {
  readonly signals: NodeJS.Signals[] = [];
  constructor(readonly pid: number | undefined) {}
  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    return true;
  }
}

const row = (id: number, slot: number, pid: number): WorkerInfo => ({
  id,
  slot,
  pid,
  state: 'ready',
  startedAt: 0,
  readyAt: 1,
});

/** Warnings the killer logged, per test. */
let warnings: string[] = [];

function killerWith(table: WorkerInfo[] | null, processes: Record<number, RecordingProcess>): WorkerKiller {
  warnings = [];
  return new WorkerKiller({
    table: () => table,
    lookup: (id) => processes[id],
    selfKillDelayMs: 10,
    logger: { warn: (message: unknown) => void warnings.push(String(message)) },
  });
}

describe('WorkerKiller', () => {
  it('SIGKILLs a worker of the live table whose forked process has the same pid', () => {
    const child = new RecordingProcess(4242);
    const reply = killerWith([row(3, 1, 4242)], { 3: child }).kill(3, 5);
    expect(reply).toEqual({ outcome: 'killed', worker: { id: 3, slot: 1, pid: 4242 } });
    expect(child.signals).toEqual(['SIGKILL']);
    expect(warnings).toEqual(['Killing worker 3 (slot 1, pid 4242) with SIGKILL, as worker 5 asked']);
  });

  it('answers unknown for an id that is not in the table, without signalling anything', () => {
    const child = new RecordingProcess(4242);
    expect(killerWith([row(3, 1, 4242)], { 7: child }).kill(7, 3)).toEqual({
      outcome: 'unknown',
      workerId: 7,
    });
    expect(killerWith(null, { 7: child }).kill(7, 3)).toEqual({ outcome: 'unknown', workerId: 7 });
    expect(child.signals).toEqual([]);
  });

  it('never signals a process whose pid is not the one in the table (gone, or pid recycled)', () => {
    const other = new RecordingProcess(999);
    const killer = killerWith([row(3, 1, 4242)], { 3: other });
    expect(killer.kill(3, 5)).toEqual({ outcome: 'unknown', workerId: 3 });
    expect(killerWith([row(3, 1, 4242)], {}).kill(3, 5)).toEqual({ outcome: 'unknown', workerId: 3 });
    expect(other.signals).toEqual([]);
  });

  it('refuses the in-process worker of WORKERS=0, which is the primary itself', () => {
    const self = new RecordingProcess(process.pid);
    expect(killerWith([row(0, 0, process.pid)], { 0: self }).kill(0, 0)).toEqual({
      outcome: 'in-process',
      workerId: 0,
    });
    expect(self.signals).toEqual([]);
  });

  it('delays killing the worker that asked, so it can still answer its HTTP client', async () => {
    const child = new RecordingProcess(4242);
    const reply = killerWith([row(3, 1, 4242)], { 3: child }).kill(3, 3);
    expect(reply.outcome).toBe('killed');
    expect(child.signals).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(child.signals).toEqual(['SIGKILL']);
  });
});
