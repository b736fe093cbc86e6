/**
 * When a write is acknowledged: `'flush'` once the operating system has it (it survives the
 * death of any process, `kill -9` included, but not a power cut); `'sync'` once the disk has it
 * (`fdatasync`: it survives a power cut too, at some cost in write throughput).
 */
export type SessionDurability = 'flush' | 'sync';

/** Options of {@link FileSessionStore}. */
export interface FileSessionStoreOptions {
  /** The session file. Its directory is created when missing; `<path>.lock` marks it in use. */
  path: string;
  /** When a write is acknowledged. Default `'flush'`. */
  durability?: SessionDurability;
  /**
   * The file is compacted (rewritten with only the live sessions, in small steps, off the request
   * path) once it holds at least this many bytes and twice what the last compaction wrote.
   * Default 8 MiB.
   */
  compactAfterBytes?: number;
  /** Most sessions held; past it the least recently used is evicted. Default `100_000`. */
  maxSessions?: number;
  /** How often (ms) expired sessions are swept from memory. `0` disables the sweep. Default `60_000`. */
  sweepIntervalMs?: number;
}

/** Default {@link FileSessionStoreOptions.compactAfterBytes}. */
export const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024;
