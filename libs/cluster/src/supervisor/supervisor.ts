import cluster, { type Address as NodeAddress, type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { CLUSTER_ENV } from '../environment/cluster-environment.js';
import {
  ClusterStateError,
  CrashLoopError,
  ReadyTimeoutError,
  RollingRestartError,
  WorkerStartError,
} from '../cluster.errors.js';
import { type WorkerInfo } from '../cluster.interfaces.js';
import { type PrimaryHub } from '../hub/primary-hub.js';
import { type Serialization } from '../ipc/message-codec.js';
import { type ClusterEvent, type WorkerExitReason } from './cluster-event.js';
import { type ClusterController, type ShutdownReport } from './cluster-controller.interface.js';
import { type RestartPolicyOptions, SlotRestartPolicy } from './restart-policy.js';
import { type WorkerExit, WorkerRecord } from './worker-record.js';

/** What the supervisor needs to know. */
export interface SupervisorOptions {
  /** Number of slots N (≥ 1). */
  readonly workers: number;
  /** Entry file the workers run. */
  readonly exec: string;
  /** Arguments passed to it. */
  readonly args: readonly string[];
  /** IPC serialization. */
  readonly serialization: Serialization;
  /** A worker not ready after this long is killed and counted as a failed start. */
  readonly readyTimeoutMs: number;
  /** A stopping worker still alive after this long is killed. */
  readonly shutdownTimeoutMs: number;
  /** Backoff and crash-loop settings. */
  readonly restart: RestartPolicyOptions;
  /** Extra environment for the workers. */
  readonly env: Readonly<Record<string, string>>;
}

interface Slot {
  readonly index: number;
  readonly policy: SlotRestartPolicy;
  /** The worker serving the slot (the old one until a replacement is ready). */
  current: WorkerRecord | undefined;
  /** A replacement being started by a rolling restart. */
  replacement: WorkerRecord | undefined;
  /** Pending respawn. */
  respawnTimer: NodeJS.Timeout | undefined;
  /** Given up after a crash loop. */
  dead: boolean;
  /** Why its last worker failed, for the crash-loop log lines. */
  lastFailure: string | undefined;
}

type Phase = 'idle' | 'running' | 'restarting' | 'stopping' | 'stopped';

/**
 * Forks N workers in stable slots and keeps them alive: respawns crashed ones after an
 * exponential backoff, gives up a slot in a crash loop, kills workers that do not get ready in
 * time, replaces them one by one on a rolling restart, and stops them gracefully on shutdown.
 * Workers it stopped on purpose are never respawned, whatever `exitedAfterDisconnect` says.
 */
export class Supervisor implements ClusterController {
  private readonly logger = new Logger('NestHiveCluster');
  private readonly records = new Map<number, WorkerRecord>();
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
   */
  constructor(
    private readonly hub: PrimaryHub,
    private readonly options: SupervisorOptions,
  ) {
    this.slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      policy: new SlotRestartPolicy(options.restart),
      current: undefined,
      replacement: undefined,
      respawnTimer: undefined,
      dead: false,
      lastFailure: undefined,
    }));
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
    return [...this.records.values()]
      .map((record) => record.info())
      .sort((a, b) => a.slot - b.slot || a.id - b.id);
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
    cluster.setupPrimary({
      exec: this.options.exec,
      args: [...this.options.args],
      serialization: this.options.serialization,
    });
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
      for (const slot of this.slots) {
        if (this.isStopping()) return;
        const old = slot.current;
        if (slot.dead || !old || old.state !== 'ready') continue;
        const replacement = this.fork(slot.index, true);
        slot.replacement = replacement;
        try {
          await replacement.ready;
        } catch (error) {
          if (this.isStopping()) return;
          // The old worker may have crashed meanwhile: then the slot needs a worker of its own again.
          if (!slot.current && !slot.dead) slot.current = this.fork(slot.index, false);
          throw new RollingRestartError(slot.index, error);
        } finally {
          slot.replacement = undefined;
        }
        if (this.isStopping()) return;
        slot.current = replacement;
        await this.stop(old, 'restart');
      }
      this.logger.log('Rolling restart done');
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
    const worker = cluster.fork({
      ...this.options.env,
      [CLUSTER_ENV.clustered]: '1',
      [CLUSTER_ENV.slot]: String(slot),
      [CLUSTER_ENV.workers]: String(this.options.workers),
    });
    const record = new WorkerRecord(worker, slot, Date.now(), isReplacement);
    this.records.set(worker.id, record);
    this.hub.addWorker(worker);
    this.listen(record, worker);
    record.timer = setTimeout(() => this.onReadyTimeout(record), this.options.readyTimeoutMs);
    this.emit(record, 'fork');
    return record;
  }

  private listen(record: WorkerRecord, worker: Worker): void {
    const onOnline = (): void => this.emit(record, 'online');
    const onListening = (address: NodeAddress): void => {
      this.publish({
        ...this.base(record),
        type: 'listening',
        address: typeof address.address === 'string' ? address.address : null,
        port: typeof address.port === 'number' ? address.port : null,
      });
    };
    const onDisconnect = (): void => {
      this.hub.removeWorker(record.id);
      this.emit(record, 'disconnect');
    };
    const onExit = (code: number | null, signal: string | null): void => this.onExit(record, code, signal);
    const onError = (error: Error): void => {
      this.logger.warn(`Worker ${record.id} (slot ${record.slot}): ${error.message}`);
    };
    worker.on('online', onOnline);
    worker.on('listening', onListening);
    worker.on('disconnect', onDisconnect);
    worker.on('exit', onExit);
    worker.on('error', onError);
    record.detachers.push(() => {
      worker.off('online', onOnline);
      worker.off('listening', onListening);
      worker.off('disconnect', onDisconnect);
      worker.off('exit', onExit);
      worker.off('error', onError);
    });
  }

  private onReady(workerId: number): void {
    const record = this.records.get(workerId);
    if (!record || record.state !== 'starting') return;
    record.markReady(Date.now());
    this.emit(record, 'ready');
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
    const reason: WorkerExitReason = record.killReason ?? (record.stopRequested ? 'stopped' : 'crashed');
    const exit: WorkerExit = { code, signal, reason };
    record.markExited(
      exit,
      reason === 'ready-timeout'
        ? new ReadyTimeoutError(record.slot, this.options.readyTimeoutMs)
        : new WorkerStartError(record.slot, record.id, code, signal),
    );
    if (this.isStopping() && (reason !== 'stopped' || code !== 0)) this.uncleanExits += 1;
    this.publish({ ...this.base(record), type: 'exit', code, signal, reason });
    const slot = this.slots[record.slot];
    if (!slot || record.stopRequested || this.isStopping()) {
      this.notifyChange();
      return;
    }
    if (record.isReplacement && slot.current !== record) {
      this.notifyChange(); // the rolling restart sees `ready` reject and stops
      return;
    }
    this.logger.warn(
      `Worker ${record.id} (slot ${record.slot}) exited unexpectedly (code ${code}, signal ${signal}, ${reason}).`,
    );
    slot.current = undefined;
    if (slot.replacement) {
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
      this.publish({
        ...this.base(record),
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

  private stop(record: WorkerRecord, mode: 'shutdown' | 'restart'): Promise<WorkerExit> {
    if (record.exitedWith || record.stopRequested) return record.exited;
    record.stopRequested = true;
    record.state = 'stopping';
    record.clearTimer();
    this.publishTable();
    this.hub.sendControl(record.id, this.hub.shutdownEnvelope(record.id, mode)).catch(() => {
      // The channel is gone: fall back to a signal, which the worker also treats as a graceful stop.
      try {
        record.worker.process.kill('SIGTERM');
      } catch {
        // already gone
      }
    });
    record.timer = setTimeout(() => {
      this.logger.warn(
        `Worker ${record.id} (slot ${record.slot}) did not stop within ${this.options.shutdownTimeoutMs} ms; killing it.`,
      );
      record.kill('shutdown-timeout');
    }, this.options.shutdownTimeoutMs);
    return record.exited;
  }

  private base(record: WorkerRecord): { workerId: number; slot: number; pid: number; at: number } {
    return { workerId: record.id, slot: record.slot, pid: record.pid, at: Date.now() };
  }

  private emit(record: WorkerRecord, type: 'fork' | 'online' | 'ready' | 'disconnect'): void {
    this.publish({ ...this.base(record), type });
  }

  private publish(event: ClusterEvent): void {
    this.hub.publishLifecycle(this.snapshot(), event);
  }

  private publishTable(): void {
    this.hub.publishLifecycle(this.snapshot());
  }

  private notifyChange(): void {
    for (const listener of [...this.changeListeners]) listener();
  }
}
