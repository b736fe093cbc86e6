/**
 * The supervisor driven by a fake launcher: no process is forked. Each fake worker is an event
 * emitter that the spec makes report ready, crash or exit, through a real PrimaryHub.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type CrashLoopError } from '../cluster.errors.js';
import { ClusterTable } from '../hub/cluster-table.js';
import { PrimaryHub } from '../hub/primary-hub.js';
import { readyEnvelope, startFailedEnvelope } from '../wire/envelope.build.js';
import { parseEnvelope } from '../wire/envelope.parse.js';
import { MessageCodec } from '../ipc/message-codec.js';
import { type ClusterEvent } from '../wire/cluster-event.js';
import { type SupervisorOptions, Supervisor } from './supervisor.js';
import { type LaunchedWorker, type WorkerLauncher } from './worker-launcher.js';

const settle = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A worker process that exists only in memory. */
class FakeWorker extends EventEmitter implements LaunchedWorker {
  readonly pid: number;
  connected = true;
  readonly received: unknown[] = [];

  constructor(
    readonly id: number,
    readonly env: Readonly<Record<string, string>>,
    private readonly onShutdown: 'exit' | 'ignore',
  ) {
    super();
    this.pid = 10_000 + id;
  }

  isConnected(): boolean {
    return this.connected;
  }

  send(message: object, callback: (error: Error | null) => void): boolean {
    this.received.push(message);
    const parsed = parseEnvelope(message);
    if (parsed.status === 'ok' && parsed.envelope.kind === 'shutdown' && this.onShutdown === 'exit') {
      setImmediate(() => this.exit(0, null));
    }
    queueMicrotask(() => callback(null));
    return true;
  }

  kill(signal: NodeJS.Signals): void {
    setImmediate(() => this.exit(null, signal));
  }

  /** The worker() factory resolved. */
  ready(): void {
    this.emit('online');
    this.emit('message', readyEnvelope({ id: 'r', from: this.id }));
  }

  /** The worker() factory threw. */
  failStart(message: string): void {
    this.emit(
      'message',
      startFailedEnvelope({ id: 'f', from: this.id, failure: { name: 'Error', message } }),
    );
    this.exit(1, null);
  }

  exit(code: number | null, signal: string | null): void {
    if (!this.connected) return;
    this.connected = false;
    this.emit('disconnect');
    this.emit('exit', code, signal);
  }
}

class FakeLauncher implements WorkerLauncher {
  readonly launched: FakeWorker[] = [];
  private nextId = 1;

  constructor(
    private readonly behaviour: (worker: FakeWorker) => void = (worker) => setImmediate(() => worker.ready()),
    private readonly onShutdown: 'exit' | 'ignore' = 'exit',
  ) {}

  launch(env: Readonly<Record<string, string>>): LaunchedWorker {
    const worker = new FakeWorker(this.nextId++, env, this.onShutdown);
    this.launched.push(worker);
    this.behaviour(worker);
    return worker;
  }
}

const OPTIONS: SupervisorOptions = {
  workers: 2,
  readyTimeoutMs: 1_000,
  shutdownTimeoutMs: 500,
  restart: {
    initialDelayMs: 10,
    maxDelayMs: 40,
    factor: 2,
    stableAfterMs: 10_000,
    maxRestarts: 2,
    windowMs: 10_000,
  },
  env: { EXTRA: 'x' },
};

describe('Supervisor (fake launcher)', () => {
  let hub: PrimaryHub;
  let supervisor: Supervisor | undefined;
  const events: ClusterEvent[] = [];

  function make(launcher: WorkerLauncher, options: Partial<SupervisorOptions> = {}): Supervisor {
    const table = new ClusterTable();
    table.events$.subscribe((event) => events.push(event));
    hub = new PrimaryHub(new MessageCodec('json', 1024 * 1024), table, 100);
    supervisor = new Supervisor(hub, { ...OPTIONS, ...options }, launcher);
    return supervisor;
  }

  afterEach(async () => {
    await supervisor?.shutdown();
    hub.close();
    supervisor = undefined;
    events.length = 0;
  });

  it('launches N workers in slots 0..N-1 with the cluster environment, and starts once all are ready', async () => {
    const launcher = new FakeLauncher();
    await make(launcher).start();
    expect(launcher.launched.map((worker) => worker.env)).toEqual([
      { EXTRA: 'x', NEST_HIVE_CLUSTER: '1', NEST_HIVE_WORKER_SLOT: '0', NEST_HIVE_WORKERS: '2' },
      { EXTRA: 'x', NEST_HIVE_CLUSTER: '1', NEST_HIVE_WORKER_SLOT: '1', NEST_HIVE_WORKERS: '2' },
    ]);
    expect(supervisor?.snapshot().map((row) => [row.slot, row.state])).toEqual([
      [0, 'ready'],
      [1, 'ready'],
    ]);
  });

  it('respawns a crashed worker in its slot after the backoff', async () => {
    const launcher = new FakeLauncher();
    await make(launcher).start();
    launcher.launched[0]?.exit(1, null);
    expect(launcher.launched).toHaveLength(2); // not at once: after initialDelayMs
    await settle(40);
    expect(launcher.launched).toHaveLength(3);
    expect(launcher.launched[2]?.env.NEST_HIVE_WORKER_SLOT).toBe('0');
    expect(events.filter((event) => event.type === 'exit')).toEqual([
      expect.objectContaining({ workerId: 1, slot: 0, code: 1, reason: 'crashed' }),
    ]);
  });

  it('gives a slot up after maxRestarts + 1 failed starts and, when every slot is gone, reports the last failure', async () => {
    const launcher = new FakeLauncher((worker) => setImmediate(() => worker.failStart('db refused')));
    const dead: CrashLoopError[] = [];
    const started = make(launcher);
    started.onAllDead((error) => dead.push(error));
    await expect(started.start()).rejects.toThrow(/crash loop/);
    expect(launcher.launched).toHaveLength(2 * (OPTIONS.restart.maxRestarts + 1));
    expect(
      events
        .filter((event) => event.type === 'crash-loop')
        .map((event) => event.slot)
        .sort(),
    ).toEqual([0, 1]);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.message).toMatch(
      /Last failure: worker \d+ \(slot \d\) failed to start: Error: db refused/,
    );
  });

  it('kills a worker that is not ready within readyTimeoutMs and counts it as a failure', async () => {
    const launcher = new FakeLauncher((worker) => {
      if (worker.id > 1) setImmediate(() => worker.ready());
    });
    await make(launcher, { workers: 1, readyTimeoutMs: 30 }).start();
    expect(events.find((event) => event.type === 'exit')).toMatchObject({
      workerId: 1,
      reason: 'ready-timeout',
      signal: 'SIGKILL',
    });
    expect(launcher.launched).toHaveLength(2);
  });

  it('rolls a restart one slot at a time: each old worker stops only after its replacement is ready', async () => {
    const launcher = new FakeLauncher();
    const rolling = make(launcher);
    await rolling.start();
    events.length = 0;
    await rolling.rollingRestart();
    const order = events
      .filter((event) => event.type === 'ready' || event.type === 'exit')
      .map((event) => `${event.type}:${event.workerId}`);
    expect(order).toEqual(['ready:3', 'exit:1', 'ready:4', 'exit:2']);
    expect(launcher.launched).toHaveLength(4);
    expect(rolling.snapshot().map((row) => row.id)).toEqual([3, 4]);
  });

  it('shuts down every worker gracefully; one that ignores the request is killed after shutdownTimeoutMs', async () => {
    const clean = make(new FakeLauncher());
    await clean.start();
    await expect(clean.shutdown()).resolves.toEqual({ clean: true });
    hub.close();

    const stubborn = new FakeLauncher(undefined, 'ignore');
    const started = make(stubborn, { workers: 1, shutdownTimeoutMs: 30 });
    await started.start();
    await expect(started.shutdown()).resolves.toEqual({ clean: false });
    expect(events.filter((event) => event.type === 'exit').at(-1)).toMatchObject({
      reason: 'shutdown-timeout',
    });
  });
});
