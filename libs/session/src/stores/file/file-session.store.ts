import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { SessionPatch, SessionRecord, StoredSessionRecord } from '../../session-record.interface.js';
import { MemoryUserSessionIndex } from '../../users/memory-user-session.index.js';
import type { IndexedSessionStore } from '../../users/user-session-index.interface.js';
import { MemoryRecords } from '../memory-records.js';
import type { SlotRemoval } from '../memory-slots.js';
import { DEFAULT_MAX_SESSIONS, DEFAULT_SWEEP_INTERVAL_MS } from '../memory-session-store.options.js';
import { DEFAULT_COMPACT_AFTER_BYTES, type FileSessionStoreOptions } from './file-session-store.options.js';
import { FileUserSessionIndex } from './file-user-session.index.js';
import type { JournalRecord } from './journal-format.js';
import type { SnapshotSource } from './journal-compaction.js';
import { openJournal } from './journal-replay.js';
import { SessionFileLock } from './session-file.lock.js';
import { SessionJournal } from './session-journal.js';
import { checkFileStoreOptions } from './file-session-store.check.js';

/** Sessions (or users) read per compaction step: a step stays well under a millisecond of work. */
const SNAPSHOT_CHUNK = 256;

/**
 * Sessions in memory, kept durable in one file on local disk: they survive a restart of the
 * process, and `kill -9`. No server to run and no dependency, on every Node line.
 *
 * - Reads are memory reads. Each change is appended to the file; the changes of one event-loop
 *   turn go in one write (group commit), and a change is acknowledged, its promise resolved, once
 *   that write is done (`durability: 'flush'`: it then survives the death of any process) or
 *   synced (`'sync'`: it survives a power cut too).
 * - At start the file is replayed. A last write cut short by a crash (never acknowledged) is
 *   dropped with a warning; a damaged or foreign file, one written by a newer version, or a place
 *   it cannot write stops the start with a `SessionFileError` naming the fix.
 * - The file is compacted in small steps between writes, and replaced by an atomic rename.
 * - A failed write (a full disk) fails the requests that waited for it (503) and is retried;
 *   `ping()` fails meanwhile, so the health check reports it.
 * - It holds `<path>.lock` while open: one process per file. Under `bootstrapCluster` the
 *   primary holds it and every worker reaches it through `ClusterSessionStore` (the default).
 *
 * @example
 * ```ts
 * SessionModule.forRoot({ secret, store: new FileSessionStore({ path: 'data/sessions.db' }) });
 * ```
 */
export class FileSessionStore implements IndexedSessionStore {
  /** The sessions of each user, kept in the same file: an entry goes with its session. */
  readonly userIndex: FileUserSessionIndex;
  private readonly path: string;
  private readonly records: MemoryRecords;
  private readonly index = new MemoryUserSessionIndex();
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('FileSessionStore');
  private journal: SessionJournal | undefined;
  private lock: SessionFileLock | undefined;
  private closed = false;

  constructor(private readonly options: FileSessionStoreOptions) {
    checkFileStoreOptions(options);
    this.path = resolve(options.path);
    const index = this.index;
    this.records = new MemoryRecords(options.maxSessions ?? DEFAULT_MAX_SESSIONS, (id, reason) =>
      this.removed(id, reason),
    );
    this.userIndex = new FileUserSessionIndex(index, () => this.opened());
    const interval = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (interval > 0) {
      this.sweepTimer = setInterval(() => void this.sweep(), interval);
      this.sweepTimer.unref();
    }
  }

  /**
   * Takes the file's lock and replays it. `SessionModule` calls it at start-up (a rejection stops
   * the app); otherwise the first operation does. Idempotent.
   */
  async open(): Promise<void> {
    this.opened();
  }

  /** @inheritdoc */
  async get(id: string): Promise<StoredSessionRecord | undefined> {
    this.opened();
    return this.records.get(id);
  }

  /** @inheritdoc */
  async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const journal = this.opened();
    const state = {
      json: JSON.stringify(record.data),
      createdAt: record.createdAt,
      expiresAt: Date.now() + ttlMs,
      maxAge: record.cookie?.maxAge,
    };
    this.records.write(id, state);
    journal.append({ kind: 'set', id, state });
    await journal.durable();
  }

  /** @inheritdoc */
  async patch(id: string, patch: SessionPatch, ttlMs: number): Promise<boolean> {
    const journal = this.opened();
    const state = this.records.patch(id, patch, Date.now() + ttlMs);
    if (!state) return false;
    journal.append({ kind: 'set', id, state });
    await journal.durable();
    return true;
  }

  /** @inheritdoc */
  async destroy(id: string): Promise<void> {
    const journal = this.opened();
    this.records.remove(id);
    // Written even when absent here: a destroy retried after a failed write must still reach the file.
    journal.append({ kind: 'delete', id });
    await journal.durable();
  }

  /** @inheritdoc */
  async touch(id: string, ttlMs: number): Promise<void> {
    const journal = this.opened();
    const expiresAt = Date.now() + ttlMs;
    if (!this.records.touch(id, expiresAt)) return;
    journal.append({ kind: 'touch', id, expiresAt });
    await journal.durable();
  }

  /** @inheritdoc */
  async clear(): Promise<void> {
    const journal = this.opened();
    this.records.clear();
    this.index.clear();
    journal.append({ kind: 'clear' });
    await journal.durable();
  }

  /** Live (unexpired) sessions held. */
  async length(): Promise<number> {
    this.opened();
    await this.sweep();
    return this.records.size;
  }

  /** Fails while writes to the file fail (e.g. the disk is full), so health checks report it. */
  async ping(): Promise<void> {
    const failure = this.opened().failure;
    if (failure) throw failure;
  }

  /** Writes what is pending, closes the file and gives its lock back. The store is unusable after. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    try {
      await this.journal?.close();
    } finally {
      this.lock?.release();
    }
  }

  /**
   * Removes expired sessions and index entries from memory, in steps of a few thousand sessions,
   * one per event-loop turn, so that a sweep never stalls the process (the file forgets them at
   * its next compaction). The timer runs it every `sweepIntervalMs`.
   */
  async sweep(): Promise<void> {
    await this.records.sweepInSteps();
    this.index.sweep();
  }

  /** The open journal: opens the file on first use (throws a `SessionFileError` when it cannot). */
  private opened(): SessionJournal {
    if (this.journal) return this.journal;
    if (this.closed) throw new Error('FileSessionStore was closed.');
    const lock = SessionFileLock.acquire(this.path);
    try {
      const warn = (message: string): void => this.logger.warn(message);
      const { fd, size } = openJournal(this.path, (record) => this.replay(record), warn);
      // Nothing else runs before the replay is over: one pass, at once.
      this.records.sweep();
      this.index.sweep();
      this.journal = new SessionJournal(fd, size, {
        path: this.path,
        durability: this.options.durability ?? 'flush',
        compactAfterBytes: this.options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
        snapshot: () => this.snapshot(),
        warn,
      });
    } catch (error) {
      lock.release();
      this.records.clear();
      this.index.clear();
      throw error;
    }
    this.lock = lock;
    this.userIndex.attach(this.journal);
    return this.journal;
  }

  /** An entry left memory: an eviction must reach the file too (an expiry needs not: replay skips it). */
  private removed(id: string, reason: SlotRemoval): void {
    this.index.forgetSession(id);
    if (reason === 'evicted') this.journal?.append({ kind: 'delete', id });
  }

  /** Applies one change read from the file. */
  private replay(record: JournalRecord): void {
    const { records, index } = this;
    switch (record.kind) {
      // Whatever has expired by now is swept once the replay is done: a later touch may extend it.
      case 'set':
        records.write(record.id, record.state);
        return;
      case 'touch':
        records.retime(record.id, record.expiresAt);
        return;
      case 'delete':
        records.remove(record.id);
        return;
      case 'clear':
        records.clear();
        index.clear();
        return;
      case 'index-add':
        index.addNow(record.user, record.entry);
        return;
      case 'index-remove':
        index.removeNow(record.user, record.handles);
        return;
      case 'index-seen':
        index.seenNow(record.user, record.handle, record.lastSeenAt, record.expiresAt);
        return;
      case 'index-user':
        index.replaceUser(record.user, record.entries);
        return;
    }
  }

  /** The live state for a compaction, read a chunk at a time. */
  private snapshot(): SnapshotSource {
    const ids = this.records.ids();
    const users = this.index.userIds();
    let next = 0;
    let nextUser = 0;
    return {
      next: () => {
        const chunk: JournalRecord[] = [];
        if (next < ids.length) {
          for (const end = Math.min(next + SNAPSHOT_CHUNK, ids.length); next < end; next++) {
            const state = this.records.state(ids[next]);
            if (state) chunk.push({ kind: 'set', id: ids[next], state });
          }
          return chunk;
        }
        if (nextUser < users.length) {
          for (const end = Math.min(nextUser + SNAPSHOT_CHUNK, users.length); nextUser < end; nextUser++) {
            const user = users[nextUser];
            chunk.push({ kind: 'index-user', user, entries: this.index.listNow(user) });
          }
          return chunk;
        }
        return undefined;
      },
    };
  }
}
