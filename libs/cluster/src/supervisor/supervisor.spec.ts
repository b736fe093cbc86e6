/**
 * The supervisor driven by a fake launcher: no process is forked. Each fake worker is an event
 * emitter that the spec makes report ready, crash or exit, through a real PrimaryHub.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type ClusterError, PortUnavailableError } from '../cluster.errors.js';
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
  failStart(message: string, details: { code?: string; syscall?: string; port?: number } = {}): void {
    this.emit(
      'message',
      startFailedEnvelope({ id: 'f', from: this.id, failure: { name: 'Error', message, ...details } }),
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
    const dead: ClusterError[] = [];
    const started = make(launcher);
    started.onFatal((error) => dead.push(error));
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

  it('stops at the first worker that cannot listen (EADDRINUSE), without respawning anything', async () => {
    const launcher = new FakeLauncher((worker) =>
      setImmediate(() =>
        worker.failStart('bind EADDRINUSE null:3000', { code: 'EADDRINUSE', syscall: 'bind', port: 3000 }),
      ),
    );
    const fatal: ClusterError[] = [];
    const started = make(launcher);
    started.onFatal((error) => fatal.push(error));
    const starting = started.start();
    starting.catch(() => undefined);
    await settle(40); // past the respawn backoff
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toBeInstanceOf(PortUnavailableError);
    expect(fatal[0]?.message).toMatch(
      /^Worker 1 cannot listen on port 3000: EADDRINUSE \(the address is in use/,
    );
    await expect(starting).rejects.toBe(fatal[0]);
    expect(launcher.launched).toHaveLength(2); // the two first workers, none respawned
    expect(events.filter((event) => event.type === 'crash-loop')).toEqual([]);
    await started.shutdown(); // what the bootstrap does next
  });

  it('respawns a worker whose start failed with another system error, or with EACCES from another call', async () => {
    const failures = [
      { code: 'ECONNREFUSED', syscall: 'connect' },
      { code: 'EACCES', syscall: 'open' },
    ];
    const launcher = new FakeLauncher((worker) => {
      const failure = failures[worker.id - 1];
      if (failure) setImmediate(() => worker.failStart(`${failure.syscall} ${failure.code}`, failure));
      else setImmediate(() => worker.ready());
    });
    const fatal: ClusterError[] = [];
    const started = make(launcher);
    started.onFatal((error) => fatal.push(error));
    await started.start();
    expect(fatal).toEqual([]);
    expect(launcher.launched).toHaveLength(4); // both respawned once
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

  it('scales up: new slots get workers told the new count, and scale() resolves once they are ready', async () => {
    const launcher = new FakeLauncher();
    const desired: number[] = [];
    const scaling = make(launcher);
    scaling.onDesiredChange((workers) => desired.push(workers));
    await scaling.start();
    await scaling.scale(4);
    expect(desired).toEqual([4]);
    expect(launcher.launched.slice(2).map((worker) => worker.env.NEST_HIVE_WORKER_SLOT)).toEqual(['2', '3']);
    expect(launcher.launched.slice(2).map((worker) => worker.env.NEST_HIVE_WORKERS)).toEqual(['4', '4']);
    expect(scaling.snapshot().map((row) => [row.slot, row.state])).toEqual([
      [0, 'ready'],
      [1, 'ready'],
      [2, 'ready'],
      [3, 'ready'],
    ]);
  });

  it('scales down: the highest slots are stopped gracefully (mode restart) and never respawned', async () => {
    const launcher = new FakeLauncher();
    const scaling = make(launcher, { workers: 3 });
    await scaling.start();
    await scaling.scale(1);
    const shutdowns = launcher.launched.map((worker) =>
      worker.received
        .map((message) => parseEnvelope(message))
        .flatMap((parsed) =>
          parsed.status === 'ok' && parsed.envelope.kind === 'shutdown' ? [parsed.envelope.payload] : [],
        ),
    );
    expect(shutdowns).toEqual([[], [{ mode: 'restart' }], [{ mode: 'restart' }]]);
    await settle(60); // past any respawn backoff
    expect(launcher.launched).toHaveLength(3);
    expect(scaling.snapshot().map((row) => [row.slot, row.id])).toEqual([[0, 1]]);
    expect(events.filter((event) => event.type === 'exit').map((event) => event.reason)).toEqual([
      'stopped',
      'stopped',
    ]);
    // Scaled back up, slot 1 is a fresh slot with a worker of its own.
    await scaling.scale(2);
    expect(scaling.snapshot().map((row) => [row.slot, row.id])).toEqual([
      [0, 1],
      [1, 4],
    ]);
  });

  it('refuses a bad count, a scaling during a rolling restart, and a rolling restart during a scaling', async () => {
    const launcher = new FakeLauncher();
    const scaling = make(launcher);
    await scaling.start();
    for (const bad of [0, -1, 1.5, 1025, Number.NaN]) {
      await expect(scaling.scale(bad)).rejects.toThrow(/scale\(workers\).*whole number from 1 to 1024/);
    }
    const restart = scaling.rollingRestart();
    await expect(scaling.scale(3)).rejects.toThrow(
      'Cannot scale while the cluster is restarting; wait for it to finish.',
    );
    await restart;
    const growing = scaling.scale(3);
    await expect(scaling.rollingRestart()).rejects.toThrow(
      'Cannot restart while the cluster is scaling; wait for it to finish.',
    );
    await expect(scaling.scale(1)).rejects.toThrow('Cannot scale while the cluster is scaling');
    await growing;
    await expect(scaling.scale(3)).resolves.toBeUndefined(); // already there: nothing to do
  });

  it('rejects a scaling whose new slot falls into a crash loop', async () => {
    const launcher = new FakeLauncher((worker) =>
      setImmediate(() => (worker.id <= 2 ? worker.ready() : worker.failStart('no memory left'))),
    );
    const scaling = make(launcher);
    await scaling.start();
    await expect(scaling.scale(3)).rejects.toThrow(
      /A new worker slot is in a crash loop: worker \d+ \(slot 2\) failed to start: Error: no memory left/,
    );
    // Running again: scaling back down takes the given-up slot away.
    await expect(scaling.scale(2)).resolves.toBeUndefined();
    expect(scaling.snapshot().map((row) => [row.slot, row.id])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});
