import { Logger } from '@nestjs/common';
import {
  type ClusterError,
  ClusterStateError,
  CrashLoopError,
  PortUnavailableError,
  ReadyTimeoutError,
  WorkerStartError,
} from '../cluster.errors.js';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type WorkerExitReason } from '../wire/cluster-event.js';
import { type StopMode } from '../wire/envelope.types.js';
import {
  type ClusterController,
  type ShutdownReport,
  type SupervisorOptions,
} from './cluster-controller.interface.js';

export type { SupervisorOptions };
import { decideAfterExit, exitReason, isCleanStop } from './restart-policy.js';
import { stopWorker } from './graceful-stop.js';
import { rollSlots } from './rolling-restart.js';
import { checkScale, scaleSlots } from './scaling.js';
import { FatalFailure, recordSlotFailure } from './slot-failure.js';
import { SupervisorPhase } from './supervisor-phase.js';
import { type Slot, SlotWaits, createSlot, createSlots, slotsSettled } from './slot.js';
import { type WorkerExit, type WorkerRecord } from './worker-record.js';
import { LifecyclePublisher } from './worker-events.js';
import { type WorkerLauncher } from './worker-launcher.js';
import { NO_RECYCLE_RULES, recycleWorker, watchedWorkers } from './recycle.js';
import { WorkerRules } from './worker-rules.js';
import { WorkerForker } from './worker-forker.js';
import { type StartFailure } from '../wire/envelope.types.js';
import { type WorkerStatus } from '../control/control-protocol.js';
import { SocketRelay } from '../sticky/socket-relay.js';

/**
 * Forks N workers in stable slots and keeps them alive: respawns crashed ones after an
 * exponential backoff, gives up a slot in a crash loop, kills workers that do not get ready in
 * time, replaces them one by one on a rolling restart, and stops them gracefully on shutdown.
 * Workers it stopped on purpose are never respawned, whatever `exitedAfterDisconnect` says.
 */
export class Supervisor implements ClusterController {
  private readonly logger = new Logger('NestHiveCluster');
  /** Hands sockets between workers (sticky engine.io sessions). */
  private readonly relay = new SocketRelay();
  private readonly records = new Map<number, WorkerRecord>();
  private readonly events: LifecyclePublisher;
  private readonly slots: Slot[];
  private readonly waits = new SlotWaits();
  private readonly desiredListeners = new Set<(workers: number) => void>();
  /** How many workers are wanted: the option at start, then what `scale()` set. */
  private desired: number;
  /** Set once no restart can help: nothing is respawned after it. */
  private readonly fatal = new FatalFailure();
  private readonly stopReady: () => void;
  private readonly phase = new SupervisorPhase();
  private readonly rules: WorkerRules;
  private readonly forker: WorkerForker;
  private shutdownPromise: Promise<ShutdownReport> | undefined;
  private uncleanExits = 0;
  private lastFailure: string | undefined;

  /**
   * @param hub - the primary's router: channels and lifecycle publishing.
   * @param options - resolved settings.
   * @param launcher - starts the worker processes (`NodeClusterLauncher`, or a fake in unit specs).
   */
  constructor(
    private readonly hub: PrimaryHub,
    private readonly options: SupervisorOptions,
    launcher: WorkerLauncher,
  ) {
    this.slots = createSlots(options.workers, options.restart);
    this.desired = options.workers;
    this.desiredListeners.add((workers) => (this.desired = workers));
    this.events = new LifecyclePublisher(hub, this.records);
    const { relay, records, events, logger } = this;
    this.forker = new WorkerForker({
      ...{ options, launcher, hub, relay, records, events, logger },
      desired: () => this.desired,
      onExit: (record, code, signal) => this.onExit(record, code, signal),
    });
    this.rules = new WorkerRules(options.recycle ?? NO_RECYCLE_RULES, {
      watched: () => watchedWorkers(this.slots),
      ping: (workerId) => hub.ping(workerId),
      breach: (record, breach) => {
        const { slots, phase, events, logger } = this;
        const fork = (slot: number, isReplacement: boolean): WorkerRecord => this.fork(slot, isReplacement);
        const stop = (old: WorkerRecord): Promise<WorkerExit> => this.stop(old, 'restart');
        void recycleWorker(record, breach, { slots, phase, events, logger, fork, stop });
      },
    });
    this.stopReady = hub.onReport((workerId, report) => {
      const record = this.records.get(workerId);
      if (!record) return;
      if (report.kind === 'ready') this.onReady(record);
      else if (report.kind === 'pong') this.rules.onPong(record, report.payload.rssBytes);
      else this.onStartFailure(record, report.payload);
    });
  }

  private onStartFailure(record: WorkerRecord, failure: StartFailure): void {
    record.startFailure = failure;
    // The primary holds the listening socket for every worker: each replacement would fail alike.
    if (PortUnavailableError.isFatal(failure))
      this.giveUp(new PortUnavailableError(record.id, failure.code, failure.port));
  }

  /** The live worker table, ordered by slot then id. */
  snapshot(): WorkerInfo[] {
    return this.events.snapshot();
  }

  /** The workers with their memory at the last heartbeat and their slot's restarts (`nest-hive status`). */
  status(): WorkerStatus[] {
    return this.snapshot().map((info) => {
      const record = this.records.get(info.id);
      const forks = this.slots[info.slot]?.forks ?? 1;
      return { ...info, rssBytes: record?.health.rssBytes ?? null, restarts: Math.max(forks - 1, 0) };
    });
  }

  /** @inheritdoc */
  onFatal(listener: (error: ClusterError) => void): void {
    this.fatal.listen(listener);
  }

  /** @inheritdoc */
  start(): Promise<void> {
    if (this.phase.current !== 'idle')
      return Promise.reject(new ClusterStateError('The supervisor was already started.'));
    this.phase.current = 'running';
    for (const slot of this.slots) slot.current = this.fork(slot.index, false);
    this.rules.start();
    return this.settled(this.slots, 'starting');
  }

  /** @inheritdoc */
  async scale(workers: number): Promise<void> {
    const wanted = checkScale(workers);
    if (wanted === this.slots.length && this.phase.current === 'running') return;
    await this.phase.exclusive('scaling', () =>
      scaleSlots(this.slots, wanted, {
        announce: () => [...this.desiredListeners].forEach((listener) => listener(wanted)),
        createSlot: (index) => createSlot(index, this.options.restart),
        fork: (index) => this.fork(index, false),
        stop: (record) => this.stop(record, 'restart'),
        settled: (added) => this.settled(added, 'scaling'),
        publishTable: () => this.events.publishTable(),
        logger: this.logger,
      }),
    );
  }

  /** Calls `listener` with the wanted number of workers each time `scale()` changes it. */
  onDesiredChange(listener: (workers: number) => void): void {
    this.desiredListeners.add(listener);
  }

  /** Resolves once each of `slots` is ready or given up (see {@link slotsSettled}). */
  private settled(slots: readonly Slot[], phase: 'starting' | 'scaling'): Promise<void> {
    return this.waits.until(() =>
      slotsSettled(slots, phase, {
        stopping: this.phase.stopping,
        fatal: this.fatal.error,
        allDead: () => this.slots.every((slot) => slot.dead) && this.crashLoopError(),
        lastFailure: this.lastFailure,
      }),
    );
  }

  /** @inheritdoc */
  async rollingRestart(): Promise<void> {
    await this.phase.exclusive('restarting', async () => {
      this.logger.log(`Rolling restart of ${this.slots.length} slot(s)`);
      const done = await rollSlots(this.slots, {
        isStopping: () => this.phase.stopping,
        fork: (slot, isReplacement) => this.fork(slot, isReplacement),
        stop: (record) => this.stop(record, 'restart'),
      });
      if (done) this.logger.log('Rolling restart done');
    });
  }

  /** @inheritdoc */
  shutdown(): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown();
    return this.shutdownPromise;
  }

  private async runShutdown(): Promise<ShutdownReport> {
    this.phase.current = 'stopping';
    this.rules.stop();
    for (const slot of this.slots) {
      if (slot.respawnTimer) clearTimeout(slot.respawnTimer);
      slot.respawnTimer = undefined;
    }
    this.waits.changed();
    await Promise.all([...this.records.values()].map((record) => this.stop(record, 'shutdown')));
    this.phase.current = 'stopped';
    this.stopReady();
    this.waits.clear();
    this.fatal.clear();
    this.desiredListeners.clear();
    return { clean: this.uncleanExits === 0 };
  }

  private crashLoopError(): CrashLoopError {
    return new CrashLoopError(this.slots.length, this.lastFailure ?? 'unknown');
  }

  /** Tells the bootstrap, once, that no restart can help: it stops the cluster and exits 1. */
  private giveUp(error: ClusterError): void {
    if (this.fatal.raise(error)) this.waits.changed();
  }

  private fork(slot: number, isReplacement: boolean): WorkerRecord {
    const target = this.slots[slot];
    if (target) target.forks++;
    return this.forker.fork(slot, isReplacement);
  }

  private onReady(record: WorkerRecord): void {
    if (record.state !== 'starting') return;
    record.markReady(Date.now());
    this.events.emit(record, 'ready');
    this.waits.changed();
  }

  private onExit(record: WorkerRecord, code: number | null, signal: string | null): void {
    if (record.exitedWith) return;
    this.records.delete(record.id);
    this.hub.removeWorker(record.id);
    this.relay.remove(record.id);
    const reason: WorkerExitReason = exitReason(record.killReason, record.stopRequested);
    const exit: WorkerExit = { code, signal, reason };
    record.markExited(
      exit,
      reason === 'ready-timeout'
        ? new ReadyTimeoutError(record.slot, this.options.readyTimeoutMs)
        : new WorkerStartError(record.slot, record.id, code, signal),
    );
    if (this.phase.stopping && !isCleanStop(reason, code, signal)) this.uncleanExits += 1;
    this.events.publish({ ...this.events.base(record), type: 'exit', code, signal, reason });
    const slot = this.slots[record.slot];
    const outcome = decideAfterExit({
      stopRequested: record.stopRequested || slot === undefined,
      clusterStopping: this.phase.stopping,
      isReplacement: record.isReplacement,
      servesSlot: slot?.current === record,
      replacementStarting: slot?.replacement !== undefined,
    });
    if (outcome === 'expected' || outcome === 'replacement-failed' || !slot) {
      // Stopped on purpose; or a rolling restart's replacement died, which that restart sees.
      this.waits.changed();
      return;
    }
    this.logger.warn(
      `Worker ${record.id} (slot ${record.slot}) exited unexpectedly (code ${code}, signal ${signal}, ${reason}).`,
    );
    slot.current = undefined;
    if (outcome === 'replacement-pending') {
      this.waits.changed(); // a rolling restart is already bringing up this slot's next worker
      return;
    }
    this.afterFailure(slot, record);
  }

  private afterFailure(slot: Slot, record: WorkerRecord): void {
    const { options, logger, events } = this;
    const outcome = recordSlotFailure(slot, record, { options, logger, events });
    this.lastFailure = slot.lastFailure;
    this.waits.changed();
    if (outcome.action === 'give-up') {
      if (this.slots.every((candidate) => candidate.dead)) this.giveUp(this.crashLoopError());
      return;
    }
    if (this.fatal.error) return; // the cluster is on its way out
    slot.respawnTimer = setTimeout(() => {
      slot.respawnTimer = undefined;
      if (this.phase.stopping || slot.current || slot.dead) return;
      slot.current = this.fork(slot.index, false);
    }, outcome.delayMs);
  }

  private stop(record: WorkerRecord, mode: StopMode): Promise<WorkerExit> {
    const { hub, logger, events, options } = this;
    const publishTable = (): void => events.publishTable();
    return stopWorker(record, {
      hub,
      mode,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      logger,
      publishTable,
    });
  }
}
