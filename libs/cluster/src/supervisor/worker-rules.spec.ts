import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { InvalidClusterOptionsError } from '../cluster.errors.js';
import {
  type RecycleOptions,
  type ResolvedRecycleOptions,
  resolveRecycleOptions,
  staggeredMaxAgeMs,
} from '../bootstrap/recycle.options.js';
import { type LaunchedWorker } from './worker-launcher.js';
import { WorkerRecord } from './worker-record.js';
import { type RuleBreach, type WatchedWorker, WorkerRules } from './worker-rules.js';

const MIB = 1024 * 1024;

/** A worker process stand-in; nothing is forked. */
class FakeWorker extends EventEmitter implements LaunchedWorker {
  readonly pid: number;
  constructor(readonly id: number) {
    super();
    this.pid = 100 + id;
  }
  isConnected(): boolean {
    return true;
  }
  send(): boolean {
    return true;
  }
  kill(): void {}
}

/** Rules over ready workers in `slots` slots, on a clock the test moves. */
function harness(rules: RecycleOptions, slots = 2) {
  let now = 10_000;
  const options: ResolvedRecycleOptions = resolveRecycleOptions(rules, slots);
  const records = Array.from({ length: slots }, (_, slot) => {
    const record = new WorkerRecord(new FakeWorker(slot + 1), slot, now, false);
    record.markReady(now);
    return record;
  });
  const pings: number[] = [];
  const breaches: Array<{ workerId: number } & RuleBreach> = [];
  const watched = (): WatchedWorker[] =>
    records.filter((r) => !r.health.breached).map((record) => ({ record, slot: record.slot, slots }));
  const engine = new WorkerRules(
    options,
    {
      watched,
      ping: (workerId) => pings.push(workerId),
      breach: (record, breach) => breaches.push({ workerId: record.id, ...breach }),
    },
    () => now,
  );
  const advance = (ms: number): void => {
    now += ms;
  };
  return { engine, records, pings, breaches, advance, options };
}

describe('WorkerRules', () => {
  it('replaces a worker only after memorySamples answers in a row above the limit', () => {
    const { engine, records, breaches } = harness({
      maxMemoryMb: 100,
      memorySamples: 3,
      hangTimeoutMs: null,
    });
    const [first] = records as [WorkerRecord];
    engine.onPong(first, 150 * MIB);
    engine.onPong(first, 150 * MIB);
    engine.onPong(first, 90 * MIB); // back under: the count starts again
    engine.onPong(first, 150 * MIB);
    engine.onPong(first, 150 * MIB);
    expect(breaches).toEqual([]);
    engine.onPong(first, 150 * MIB);
    expect(breaches).toEqual([
      {
        workerId: 1,
        reason: 'memory',
        detail: 'RSS 150 MiB above recycle.maxMemoryMb (100 MiB) for 3 heartbeats in a row',
      },
    ]);
    engine.onPong(first, 150 * MIB);
    expect(breaches).toHaveLength(1); // once per worker
    expect(first.health.rssBytes).toBe(150 * MIB);
  });

  it('takes a worker that answered no heartbeat for hangTimeoutMs for hung, and pings the others', () => {
    const { engine, records, pings, breaches, advance } = harness({ hangTimeoutMs: 3_000 });
    const [first, second] = records as [WorkerRecord, WorkerRecord];
    for (let beat = 0; beat < 3; beat++) {
      advance(1_000);
      engine.tick();
      engine.onPong(second, 50 * MIB); // the second answers, the first never does
    }
    expect(breaches).toEqual([
      {
        workerId: first.id,
        reason: 'hang',
        detail: 'no heartbeat answered for 3000 ms (recycle.hangTimeoutMs 3000)',
      },
    ]);
    expect(pings).toEqual([1, 2, 1, 2, 2]);
  });

  it('counts no silence across a gap in its own ticks (the primary itself was held up)', () => {
    const { engine, breaches, advance } = harness({ hangTimeoutMs: 3_000 });
    advance(1_000);
    engine.tick();
    advance(10_000); // the primary's loop stood still: no answer could be read
    engine.tick();
    expect(breaches).toEqual([]);
    advance(1_000);
    engine.tick();
    expect(breaches).toEqual([]);
    advance(2_000);
    engine.tick();
    expect(breaches.map((breach) => breach.reason)).toEqual(['hang', 'hang']);
  });

  it('replaces workers past their staggered maximum age, slot by slot, never past maxAgeMs', () => {
    const { engine, breaches, advance } = harness({ maxAgeMs: 8_000, hangTimeoutMs: null }, 2);
    expect(staggeredMaxAgeMs(8_000, 0, 2)).toBe(8_000);
    expect(staggeredMaxAgeMs(8_000, 1, 2)).toBe(6_000);
    for (let beat = 0; beat < 5; beat++) {
      advance(1_000);
      engine.tick();
    }
    expect(breaches).toEqual([]);
    advance(1_000);
    engine.tick();
    expect(breaches).toEqual([
      { workerId: 2, reason: 'max-age', detail: '6000 ms old, past its 6000 ms (recycle.maxAgeMs 8000)' },
    ]);
    advance(2_000);
    engine.tick();
    expect(breaches.map((breach) => breach.workerId)).toEqual([2, 1]);
  });

  it('sends no heartbeat when every rule is off', () => {
    const { engine } = harness({ hangTimeoutMs: null });
    expect(engine.active).toBe(false);
  });
});

describe('resolveRecycleOptions', () => {
  it('defaults to a 30 s hang limit and nothing else', () => {
    expect(resolveRecycleOptions(undefined, 2)).toEqual({
      maxMemoryMb: null,
      memorySamples: 3,
      hangTimeoutMs: 30_000,
      maxAgeMs: null,
      heartbeatIntervalMs: 1_000,
    });
  });

  it.each<[string, RecycleOptions, number, RegExp]>([
    [
      'a hang limit under two heartbeats',
      { hangTimeoutMs: 1_500 },
      2,
      /at least 2 × recycle.heartbeatIntervalMs \(2000 ms\)/,
    ],
    ['a memory limit of 0', { maxMemoryMb: 0 }, 2, /recycle.maxMemoryMb.*≥ 1/],
    ['a fractional sample count', { memorySamples: 1.5 }, 2, /recycle.memorySamples.*integer/],
    ['an age under one heartbeat', { maxAgeMs: 500 }, 2, /recycle.maxAgeMs.*≥ 1000/],
    ['a rule with workers: 0', { maxMemoryMb: 512 }, 0, /workers: 0.*fork workers/],
  ])('refuses %s at start-up, naming the fix', (_label, options, workers, message) => {
    expect(() => resolveRecycleOptions(options, workers)).toThrow(InvalidClusterOptionsError);
    expect(() => resolveRecycleOptions(options, workers)).toThrow(message);
  });
});
