import { close, fdatasync, ftruncate } from 'node:fs';
import { promisify } from 'node:util';
import { type JournalRecord, encodeFrame } from './journal-format.js';
import { JournalCompaction, type SnapshotSource } from './journal-compaction.js';
import { appendFrames, appendFramesSync } from './frame-writes.js';
import { SessionFileError } from './session-file.errors.js';
import type { SessionDurability } from './file-session-store.options.js';

const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);
const closeAsync = promisify(close);

/** Settings of a {@link SessionJournal}. */
export interface SessionJournalSettings {
  readonly path: string;
  readonly durability: SessionDurability;
  /** The file is compacted once it holds at least this many bytes and twice what its last compaction wrote. */
  readonly compactAfterBytes: number;
  /** The state to compact into, read step by step. */
  readonly snapshot: () => SnapshotSource;
  readonly warn: (message: string) => void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** How long a failed write waits before it is tried again when nothing else is written. */
const RETRY_MS = 1_000;
/** How long a failed compaction waits before the next may start. */
const COMPACTION_RETRY_MS = 60_000;

/**
 * The write side of a session file: changes are appended as frames, grouped per event-loop turn
 * (group commit), and {@link durable} resolves once everything appended before it is written
 * (and synced, with `'sync'`). One write runs at a time; the next group gathers meanwhile.
 *
 * A write that fails (a full disk, an I/O error) is undone (the file is truncated back), its
 * waiters are rejected with a `SessionFileError`, and its frames stay first in line, retried
 * with the next group or after a second: memory, which already holds the changes, and the file
 * never disagree in order. Compaction runs in small steps between groups.
 */
export class SessionJournal {
  private queue: Buffer[] = [];
  private queued: Waiter[] = [];
  private writing = false;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private compaction: JournalCompaction | undefined;
  private compactedBytes = 0;
  private nextCompactionAt = 0;
  private lastFailure: SessionFileError | undefined;
  private closing = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private currentWrite: Promise<void> = Promise.resolve();

  /**
   * @param fd - the file, open for appending.
   * @param size - its size: where the next frame goes.
   * @param settings - where, how durably, when to compact.
   */
  constructor(
    private fd: number,
    private size: number,
    private readonly settings: SessionJournalSettings,
  ) {
    this.compactedBytes = size;
  }

  /** The failure of the last write, until a write succeeds again. */
  get failure(): SessionFileError | undefined {
    return this.lastFailure;
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.size;
  }

  /** Whether a compaction is under way. */
  get compacting(): boolean {
    return this.compaction !== undefined;
  }

  /** Queues a change for the next group write. */
  append(record: JournalRecord): void {
    if (this.closing) throw new SessionFileError(this.settings.path, 'closed', 'the store was closed.');
    const frame = encodeFrame(record);
    this.queue.push(frame);
    this.compaction?.mirror(frame);
    this.schedule();
  }

  /** Resolves once every change appended so far is durable; rejects when its write failed. */
  durable(): Promise<void> {
    if (this.queue.length === 0) return this.writing ? this.currentWrite : Promise.resolve();
    return new Promise<void>((resolve, reject) => this.queued.push({ resolve, reject }));
  }

  /** Starts a compaction now, unless one runs (it then runs in steps between group writes). */
  compact(): void {
    if (this.compaction || this.closing) return;
    this.compaction = new JournalCompaction(this.settings.path, this.settings.snapshot());
    this.schedule();
  }

  /**
   * Writes what is queued (changes whose write keeps failing are dropped, with a warning: they
   * were never acknowledged), abandons a compaction under way, and closes the file. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.retryTimer);
    while (this.queue.length > 0 && !this.lastFailure) {
      this.schedule();
      await this.durable().catch(() => undefined);
    }
    await this.idle;
    if (this.queue.length > 0) {
      this.settings.warn(
        `Session file ${this.settings.path}: closed with ${this.queue.length} change(s) never written ` +
          `(${this.lastFailure?.message ?? 'no reason'}).`,
      );
    }
    this.closed = true;
    await this.abandonCompaction();
    await closeAsync(this.fd);
  }

  private schedule(): void {
    if (this.scheduled || this.writing || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  /** The one writer: a group write, then a compaction step, until there is nothing left to do. */
  private async run(): Promise<void> {
    if (this.writing || this.closed) return;
    this.writing = true;
    let settleIdle!: () => void;
    this.idle = new Promise<void>((resolve) => (settleIdle = resolve));
    try {
      for (;;) {
        if (this.queue.length > 0 && !(await this.writeGroup())) break;
        if (this.compaction && !this.closing) await this.compactionStep();
        else if (this.queue.length === 0) break;
      }
    } finally {
      this.writing = false;
      settleIdle();
    }
  }

  /** Writes the queued group; `false` when it failed (a retry is scheduled). */
  private async writeGroup(): Promise<boolean> {
    const frames = this.queue;
    const waiters = this.queued;
    this.queue = [];
    this.queued = [];
    const before = this.size;
    this.currentWrite = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    // Only a later durable() call awaits it; a failure reaches the waiters themselves.
    this.currentWrite.catch(() => undefined);
    try {
      // 'flush' writes on the event loop (a page-cache write of one group: microseconds); 'sync'
      // leaves the write and its fdatasync, which waits for the disk, to libuv's threads.
      const sync = this.settings.durability === 'sync';
      const written = sync ? await appendFrames(this.fd, frames) : appendFramesSync(this.fd, frames);
      if (sync) await fdatasyncAsync(this.fd);
      this.size = before + written;
      this.lastFailure = undefined;
      for (const waiter of waiters) waiter.resolve();
      this.maybeCompact();
      return true;
    } catch (cause) {
      await this.failed(before, frames, waiters, cause);
      return false;
    }
  }

  private async failed(before: number, frames: Buffer[], waiters: Waiter[], cause: unknown): Promise<void> {
    await ftruncateAsync(this.fd, before).catch(() => undefined);
    this.queue = frames.concat(this.queue);
    const code = (cause as NodeJS.ErrnoException).code ?? 'an error';
    const error = new SessionFileError(
      this.settings.path,
      'write-failed',
      `a write failed (${code}); the changes are kept in memory and written again when the disk allows.`,
      { cause },
    );
    if (!this.lastFailure) this.settings.warn(error.message);
    this.lastFailure = error;
    for (const waiter of waiters) waiter.reject(error);
    // The compaction's view of the file is no longer the file's; start it again later.
    await this.abandonCompaction();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.schedule(), RETRY_MS);
    this.retryTimer.unref();
  }

  private maybeCompact(): void {
    const { compactAfterBytes } = this.settings;
    if (this.compaction || Date.now() < this.nextCompactionAt) return;
    if (this.size >= compactAfterBytes && this.size >= 2 * this.compactedBytes) this.compact();
  }

  private async compactionStep(): Promise<void> {
    const compaction = this.compaction;
    if (!compaction) return;
    try {
      const finished = await compaction.step(this.settings.durability);
      if (!finished) return;
      const oldFd = this.fd;
      this.fd = finished.fd;
      this.size = finished.size;
      this.compactedBytes = finished.size;
      this.compaction = undefined;
      await closeAsync(oldFd).catch(() => undefined);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      this.settings.warn(
        `Session file ${this.settings.path}: compaction failed (${code}); the file keeps growing until ` +
          `the next attempt in ${COMPACTION_RETRY_MS / 1000} s.`,
      );
      await this.abandonCompaction();
    }
  }

  private async abandonCompaction(): Promise<void> {
    const compaction = this.compaction;
    if (!compaction) return;
    this.compaction = undefined;
    this.nextCompactionAt = Date.now() + COMPACTION_RETRY_MS;
    await compaction.abandon();
  }
}
