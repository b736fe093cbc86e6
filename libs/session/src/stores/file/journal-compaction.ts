import { close, fdatasync, fsync, open, rename, unlink } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { JOURNAL_HEADER, type JournalRecord, encodeFrame } from './journal-format.js';
import { compactionPath } from './journal-replay.js';
import { appendFrames } from './frame-writes.js';
import type { SessionDurability } from './file-session-store.options.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);
const renameAsync = promisify(rename);
const unlinkAsync = promisify(unlink);

/**
 * The live state, read in chunks: each call gives the records of the next few sessions (or
 * users) as they stand at that moment, and `undefined` once every one captured at the start has
 * been given.
 */
export interface SnapshotSource {
  next(): JournalRecord[] | undefined;
}

/** A finished compaction: the new file, open for appending, and its size. */
export interface CompactedFile {
  readonly fd: number;
  readonly size: number;
}

/**
 * One compaction of the session file: the live state is written to `<file>.compact` a chunk per
 * step, with every change made meanwhile mirrored after the chunks that were read before it; the
 * file then replaces the old one by an atomic rename. Because each record states a whole value
 * and replay keeps the last, the new file replays to the state the old one would have, plus what
 * was written since. Each step does a bounded amount of work on the event loop; the writes run
 * on libuv's threads.
 */
export class JournalCompaction {
  private readonly target: string;
  private pending: Buffer[] = [JOURNAL_HEADER];
  private fd: number | undefined;
  private size = 0;

  /**
   * @param path - the session file.
   * @param source - the live state, read step by step.
   */
  constructor(
    private readonly path: string,
    private readonly source: SnapshotSource,
  ) {
    this.target = compactionPath(path);
  }

  /** Queues a change made during the compaction, after everything read so far. */
  mirror(frame: Buffer): void {
    this.pending.push(frame);
  }

  /**
   * Reads and writes the next chunk; once the state is all written, syncs the new file and
   * renames it over the old one, and resolves it (the old descriptor is the caller's to close).
   */
  async step(durability: SessionDurability): Promise<CompactedFile | undefined> {
    this.fd ??= await openAsync(this.target, 'ax');
    const records = this.source.next();
    if (records) for (const record of records) this.pending.push(encodeFrame(record));
    const frames = this.pending;
    this.pending = [];
    this.size += await appendFrames(this.fd, frames);
    if (records) return undefined;
    // Changes mirrored from here on are still queued in the journal, which now writes to this file.
    await fdatasyncAsync(this.fd);
    await renameAsync(this.target, this.path);
    if (durability === 'sync') await this.syncDirectory();
    const fd = this.fd;
    this.fd = undefined;
    return { fd, size: this.size };
  }

  /** Stops: closes and deletes the unfinished file. */
  async abandon(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    this.pending = [];
    if (fd === undefined) return;
    await closeAsync(fd).catch(() => undefined);
    await unlinkAsync(this.target).catch(() => undefined);
  }

  /** Makes the rename itself durable. */
  private async syncDirectory(): Promise<void> {
    const directory = await openAsync(dirname(this.path), 'r');
    try {
      await fsyncAsync(directory);
    } finally {
      await closeAsync(directory);
    }
  }
}
