/**
 * The event-loop delay of a process that holds a `FileSessionStore` (what the primary of a cluster
 * does under the default `ClusterSessionStore`), per phase, at each size given:
 * - fill: `n` sessions of about 200 bytes of data (batches of 500; reported, not a target);
 * - replay at open: that file opened again by a new store (its total time is one stall);
 * - idle: 2 s with nothing to do;
 * - steady writes: a 1 ms timer that sets one session and patches two others each tick (up to
 *   3 000 writes per second), outside compactions;
 * - compaction: the same load while the file is compacted (`compactAfterBytes` 1 MiB; the file is
 *   first rewritten to just under twice its size at open, so the load itself starts one, after
 *   about 5 s);
 * - sweep: `store.sweep()` (in steps) with 50 000 expired sessions among the `n` live ones, under the load;
 * - length(): which sweeps first (a metrics scrape asks it of the primary), under the load.
 * Node's histogram (`monitorEventLoopDelay`, resolution 1 ms) records the interval of a 1 ms
 * timer: an idle loop reads about 1 ms. Beside it, the longest garbage-collection pause of each
 * window (`PerformanceObserver`), and the idle row: what the machine alone costs.
 *
 * Usage: node dist-test/bench/file-store/event-loop-delay.js [--sessions=50000,100000] [--json]
 * The table goes to stdout (with `--json`, one JSON line instead); progress to stderr.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileSessionStore } from '@nest-hive/session';
import { argValue } from '../lib/bench-args.js';
import { formatFigure } from '../lib/report.js';
import {
  CompactionWatch,
  DAY_MS,
  type DelayFigures,
  type PhaseResult,
  DelayWindow,
  fill,
  GcPauses,
  sessionIds,
  SteadyWriter,
} from './store-load.js';

/** Expired sessions the sweep phase removes. */
const EXPIRED = 50_000;
/** Small, so that the steady load starts a compaction soon. */
const COMPACT_AFTER_BYTES = 1024 * 1024;
/** Lifetime of the sessions the sweep removes. */
const EXPIRING_TTL_MS = 8_000;
/** Bytes the steady load writes before it starts a compaction (about 5 s of it). */
const STEADY_BYTES = 4 * 1024 * 1024;
/** Longest the steady load runs while waiting for a compaction to start and end. */
const STEADY_LIMIT_MS = 60_000;

const args = process.argv.slice(2);
const sizes = (argValue(args, 'sessions') ?? '50000,100000').split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1000)) throw new Error('--sessions: sizes of 1000 or more');
const log = (message: string): void => void process.stderr.write(`${message}\n`);

function newStore(path: string, sessions: number): FileSessionStore {
  return new FileSessionStore({
    path,
    maxSessions: sessions + EXPIRED + 10_000,
    sweepIntervalMs: 0,
    compactAfterBytes: COMPACT_AFTER_BYTES,
  });
}

/** Sets sessions again, unmeasured, until the file holds `bytes`. */
async function grow(store: FileSessionStore, path: string, ids: string[], bytes: number): Promise<void> {
  while (statSync(path).size < bytes) await fill(store, ids.slice(0, 2_000), DAY_MS);
}

async function measureSize(sessions: number): Promise<PhaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nest-hive-eld-'));
  const path = join(dir, 'sessions.db');
  const results: PhaseResult[] = [];
  const record = (phase: string, figures: DelayFigures, note: string, callMs?: number): void => {
    results.push({ sessions, phase, ...figures, note, ...(callMs !== undefined && { callMs }) });
    log(
      `  ${sessions} ${phase}: p99 ${figures.p99Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms, GC ${figures.gcMaxMs.toFixed(1)} ms; ${note}`,
    );
  };
  let store = newStore(path, sessions);
  try {
    await store.open();
    const ids = sessionIds('live', sessions);
    const watch = new CompactionWatch(path);
    const filling = await DelayWindow.open();
    let started = performance.now();
    await fill(store, ids, DAY_MS);
    record('fill', filling.close(gc), `${((performance.now() - started) / 1000).toFixed(1)} s`);
    await watch.settled();

    // Replay at open; the reopened file is also where the next compaction counts from (twice its size).
    await store.close();
    const bytes = statSync(path).size;
    const opening = await DelayWindow.open();
    store = newStore(path, sessions);
    started = performance.now();
    await store.open();
    const openMs = performance.now() - started;
    await sleep(20);
    const size = `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    record('replay at open', opening.close(gc), `open() took ${openMs.toFixed(0)} ms (${size})`, openMs);

    const idle = await DelayWindow.open();
    await sleep(2_000);
    record('idle', idle.close(gc), '2 s');

    // Steady writes until they start a compaction, then through it: one histogram before it, one
    // during it (from when its file appears), one for the whole window.
    await grow(store, path, ids, 2 * bytes - STEADY_BYTES);
    const whole = await DelayWindow.open();
    const steady = await DelayWindow.open();
    const writer = new SteadyWriter(store, ids);
    writer.start();
    started = performance.now();
    if (!(await watch.until(true, STEADY_LIMIT_MS))) throw new Error('the steady load started no compaction');
    const steadyMs = performance.now() - started;
    const compacting = await DelayWindow.open();
    const steadyFigures = steady.close(gc);
    started = performance.now();
    await watch.until(false, STEADY_LIMIT_MS);
    const compactionMs = performance.now() - started;
    const compactingFigures = compacting.close(gc);
    await sleep(500);
    const load = writer.stop();
    const rate = `${Math.round(load.writesPerSecond)} writes/s, ack p99 ${load.ackP99Ms.toFixed(1)} ms`;
    record('steady writes', steadyFigures, `${(steadyMs / 1000).toFixed(1)} s; ${rate}`);
    record('compaction', compactingFigures, `took ${Math.round(compactionMs)} ms, under the same load`);
    record('steady writes and compaction', whole.close(gc), 'the whole window of the two rows above');

    // A sweep of EXPIRED sessions, under the same load.
    // Their lifetime outlasts the compaction they may start: a compaction drops what has expired.
    await fill(store, sessionIds('gone', EXPIRED), EXPIRING_TTL_MS);
    const lastExpiry = performance.now() + EXPIRING_TTL_MS;
    await watch.settled();
    await sleep(Math.max(0, lastExpiry + 200 - performance.now()));
    const sweepWriter = new SteadyWriter(store, ids);
    sweepWriter.start();
    const sweeping = await DelayWindow.open();
    await sleep(200);
    started = performance.now();
    await store.sweep();
    const sweepMs = performance.now() - started;
    await sleep(200);
    record(
      'sweep',
      sweeping.close(gc),
      `sweep() took ${sweepMs.toFixed(1)} ms, under the same load`,
      sweepMs,
    );

    // length(), which sweeps first (what SESSION_LENGTH and a metrics scrape ask of the primary).
    const counting = await DelayWindow.open();
    await sleep(200);
    started = performance.now();
    const live = await store.length();
    const lengthMs = performance.now() - started;
    await sleep(200);
    sweepWriter.stop();
    record(
      'length()',
      counting.close(gc),
      `took ${lengthMs.toFixed(1)} ms for ${live} sessions, under the same load`,
      lengthMs,
    );

    return results;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const gc = new GcPauses();
const results: PhaseResult[] = [];
for (const sessions of sizes) {
  log(`${sessions} sessions…`);
  results.push(...(await measureSize(sessions)));
}
gc.stop();
if (args.includes('--json')) console.log(JSON.stringify({ eventLoopDelay: results }));
else {
  console.log(
    '| sessions | phase | p50 | p99 | max | longest GC pause | note |\n|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const ms = (value: number): string => `${formatFigure(value)} ms`;
    console.log(
      `| ${r.sessions.toLocaleString('en-US')} | ${r.phase} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${ms(r.gcMaxMs)} | ${r.note} |`,
    );
  }
}
