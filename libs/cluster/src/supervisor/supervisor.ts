import { Logger } from '@nestjs/common';
import { CLUSTER_ENV } from '../environment/cluster-environment.js';
import { ClusterStateError, CrashLoopError, ReadyTimeoutError, WorkerStartError } from '../cluster.errors.js';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type ResolvedClusterOptions } from '../bootstrap/bootstrap.options.js';
import { type WorkerExitReason } from '../wire/cluster-event.js';
import { type StopMode } from '../wire/envelope.types.js';
import { type ClusterController, type ShutdownReport } from './cluster-controller.interface.js';
import { decideAfterExit, exitReason, isCleanStop } from './restart-policy.js';
import { requestStop } from './graceful-stop.js';
import { rollSlots } from './rolling-restart.js';
import { type Slot, createSlots } from './slot.js';
import { type WorkerExit, WorkerRecord } from './worker-record.js';
import { LifecyclePublisher, watchWorker } from './worker-events.js';
import { type LaunchedWorker, type WorkerLauncher } from './worker-launcher.js';
import { SocketRelay } from '../sticky/socket-relay.js';

/** What the supervisor needs to know: the resolved bootstrap options it acts on. */
export type SupervisorOptions = Pick<
  ResolvedClusterOptions,
  'workers' | 'readyTimeoutMs' | 'shutdownTimeoutMs' | 'restart' | 'env'
> &
  Partial<Pick<ResolvedClusterOptions, 'sticky'>>;

type Phase = 'idle' | 'running' | 'restarting' | 'stopping' | 'stopped';

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
  private readonly changeListeners = new Set<() => void>();
  private readonly allDeadListeners = new Set<(error: CrashLoopError) => void>();
  private readonly stopReady: () => void;
  private phase: Phase = 'idle';
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
    private readonly launcher: WorkerLauncher,
  ) {
    this.slots = createSlots(options.workers, options.restart);
    this.events = new LifecyclePublisher(hub, this.records);
    const stopReady = hub.onReady((workerId) => this.onReady(workerId));
    const stopFailures = hub.onStartFailure((workerId, failure) => {
      const record = this.records.get(workerId);
      if (record) record.startFailure = failure;
    });
    this.stopReady = () => {
      stopReady();
      stopFailures();
    };
  }

  /** The live worker table, ordered by slot then id. */
  snapshot(): WorkerInfo[] {
    return this.events.snapshot();
  }

  /** @inheritdoc */
  onAllDead(listener: (error: CrashLoopError) => void): void {
    this.allDeadListeners.add(listener);
  }

  /** @inheritdoc */
  start(): Promise<void> {
    if (this.phase !== 'idle')
      return Promise.reject(new ClusterStateError('The supervisor was already started.'));
    this.phase = 'running';
    for (const slot of this.slots) slot.current = this.fork(slot.index, false);
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.phase === 'stopping' || this.phase === 'stopped') {
          this.changeListeners.delete(check);
          reject(new ClusterStateError('The cluster was shut down while it was starting.'));
          return;
        }
        if (this.slots.every((slot) => slot.dead)) {
          this.changeListeners.delete(check);
          reject(this.crashLoopError());
          return;
        }
        if (this.slots.every((slot) => slot.dead || slot.current?.state === 'ready')) {
          this.changeListeners.delete(check);
          resolve();
        }
      };
      this.changeListeners.add(check);
    });
  }

  /** @inheritdoc */
  async rollingRestart(): Promise<void> {
    if (this.phase !== 'running') {
      throw new ClusterStateError(
        this.phase === 'restarting'
          ? 'A rolling restart is already running; wait for it to finish.'
          : `Cannot restart while the cluster is ${this.phase}.`,
      );
    }
    this.phase = 'restarting';
    this.logger.log(`Rolling restart of ${this.slots.length} slot(s)`);
    try {
      const done = await rollSlots(this.slots, {
        isStopping: () => this.isStopping(),
        fork: (slot, isReplacement) => this.fork(slot, isReplacement),
        stop: (record) => this.stop(record, 'restart'),
      });
      if (done) this.logger.log('Rolling restart done');
    } finally {
      if (this.phase === 'restarting') this.phase = 'running';
    }
  }

  /** @inheritdoc */
  shutdown(): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown();
    return this.shutdownPromise;
  }

  private async runShutdown(): Promise<ShutdownReport> {
    this.phase = 'stopping';
    for (const slot of this.slots) {
      if (slot.respawnTimer) clearTimeout(slot.respawnTimer);
      slot.respawnTimer = undefined;
    }
    this.notifyChange();
    await Promise.all([...this.records.values()].map((record) => this.stop(record, 'shutdown')));
    this.phase = 'stopped';
    this.stopReady();
    this.changeListeners.clear();
    this.allDeadListeners.clear();
    return { clean: this.uncleanExits === 0 };
  }

  private crashLoopError(): CrashLoopError {
    return new CrashLoopError(this.slots.length, this.lastFailure ?? 'unknown');
  }

  private isStopping(): boolean {
    return this.phase === 'stopping' || this.phase === 'stopped';
  }

  private fork(slot: number, isReplacement: boolean): WorkerRecord {
    const worker = this.launcher.launch({
      ...this.options.env,
      [CLUSTER_ENV.clustered]: '1',
      [CLUSTER_ENV.slot]: String(slot),
      [CLUSTER_ENV.workers]: String(this.options.workers),
      ...(this.options.sticky && { [CLUSTER_ENV.sticky]: '1' }),
    });
    const record = new WorkerRecord(worker, slot, Date.now(), isReplacement);
    this.records.set(worker.id, record);
    this.hub.addWorker(worker);
    this.relay.add(worker);
    this.listen(record, worker);
    record.timer = setTimeout(() => this.onReadyTimeout(record), this.options.readyTimeoutMs);
    this.events.emit(record, 'fork');
    return record;
  }

  private listen(record: WorkerRecord, worker: LaunchedWorker): void {
    const detach = watchWorker(worker, {
      online: () => this.events.emit(record, 'online'),
      listening: (address) => this.events.listening(record, address),
      disconnect: () => {
        this.hub.removeWorker(record.id);
        this.events.emit(record, 'disconnect');
      },
      exit: (code, signal) => this.onExit(record, code, signal),
      error: (error) => this.logger.warn(`Worker ${record.id} (slot ${record.slot}): ${error.message}`),
    });
    record.detachers.push(detach);
  }

  private onReady(workerId: number): void {
    const record = this.records.get(workerId);
    if (!record || record.state !== 'starting') return;
    record.markReady(Date.now());
    this.events.emit(record, 'ready');
    this.notifyChange();
  }

  private onReadyTimeout(record: WorkerRecord): void {
    record.timer = undefined;
    if (record.state !== 'starting') return;
    this.logger.warn(
      new ReadyTimeoutError(record.slot, this.options.readyTimeoutMs).message +
        ` Killing worker ${record.id}.`,
    );
    record.kill('ready-timeout');
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
    if (this.isStopping() && !isCleanStop(reason, code, signal)) this.uncleanExits += 1;
    this.events.publish({ ...this.events.base(record), type: 'exit', code, signal, reason });
    const slot = this.slots[record.slot];
    const outcome = decideAfterExit({
      stopRequested: record.stopRequested || slot === undefined,
      clusterStopping: this.isStopping(),
      isReplacement: record.isReplacement,
      servesSlot: slot?.current === record,
      replacementStarting: slot?.replacement !== undefined,
    });
    if (outcome === 'expected' || outcome === 'replacement-failed' || !slot) {
      // Stopped on purpose; or a rolling restart's replacement died, which that restart sees.
      this.notifyChange();
      return;
    }
    this.logger.warn(
      `Worker ${record.id} (slot ${record.slot}) exited unexpectedly (code ${code}, signal ${signal}, ${reason}).`,
    );
    slot.current = undefined;
    if (outcome === 'replacement-pending') {
      this.notifyChange(); // a rolling restart is already bringing up this slot's next worker
      return;
    }
    this.afterFailure(slot, record);
  }

  private afterFailure(slot: Slot, record: WorkerRecord): void {
    const decision = slot.policy.recordFailure(Date.now(), record.readyAt);
    slot.lastFailure = record.describeFailure(this.options.readyTimeoutMs);
    this.lastFailure = slot.lastFailure;
    if (decision.action === 'give-up') {
      slot.dead = true;
      this.logger.error(
        `Slot ${slot.index} is in a crash loop: ${decision.failures} failures within ` +
          `${this.options.restart.windowMs} ms (restart.maxRestarts is ${this.options.restart.maxRestarts}). ` +
          `It will not be respawned. Last failure: ${slot.lastFailure}.`,
      );
      this.events.publish({
        ...this.events.base(record),
        type: 'crash-loop',
        failures: decision.failures,
        windowMs: this.options.restart.windowMs,
      });
      this.notifyChange();
      if (this.slots.every((candidate) => candidate.dead)) {
        const error = this.crashLoopError();
        for (const listener of [...this.allDeadListeners]) listener(error);
      }
      return;
    }
    this.notifyChange();
    slot.respawnTimer = setTimeout(() => {
      slot.respawnTimer = undefined;
      if (this.isStopping() || slot.current || slot.dead) return;
      slot.current = this.fork(slot.index, false);
    }, decision.delayMs);
  }

  private stop(record: WorkerRecord, mode: StopMode): Promise<WorkerExit> {
    if (record.exitedWith || record.stopRequested) return record.exited;
    record.stopRequested = true;
    record.state = 'stopping';
    record.clearTimer();
    this.events.publishTable();
    const { shutdownTimeoutMs } = this.options;
    requestStop(record, { hub: this.hub, mode, shutdownTimeoutMs, logger: this.logger });
    return record.exited;
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}
