/**
 * When a write is acknowledged: `'flush'` once the operating system has it (it survives the
 * death of any process, `kill -9` included, but not a power cut); `'sync'` once the disk has it
 * (`fdatasync`: it survives a power cut too, at some cost in write throughput).
 */
export type SessionDurability = 'flush' | 'sync';

/**
 * Where and how the cluster-shared store (the default under `bootstrapCluster`) keeps its sessions
 * on disk: the primary holds them in a `FileSessionStore`.
 *
 * @example
 * ```ts
 * SessionModule.forRoot({ secret, persistence: { path: '/var/lib/my-app/sessions.db', durability: 'sync' } });
 * ```
 */
export interface SessionPersistenceOptions {
  /**
   * The session file, relative to the working directory. Its directory is created when missing;
   * `<path>.lock` marks it in use. Default `.nest-hive/sessions.db`.
   */
  path?: string;
  /** When a write is acknowledged. Default `'flush'`. */
  durability?: SessionDurability;
  /**
   * The file is compacted (rewritten with only the live sessions, in small steps, off the request
   * path) once it holds at least this many bytes and twice what the last compaction wrote.
   * Default 8 MiB.
   */
  compactAfterBytes?: number;
}

/** Default {@link SessionPersistenceOptions.path}. */
export const DEFAULT_SESSION_FILE = '.nest-hive/sessions.db';

/** Options of {@link FileSessionStore}. */
export interface FileSessionStoreOptions extends SessionPersistenceOptions {
  /** The session file. Its directory is created when missing; `<path>.lock` marks it in use. */
  path: string;
  /** Most sessions held; past it the least recently used is evicted. Default `100_000`. */
  maxSessions?: number;
  /** How often (ms) expired sessions are swept from memory. `0` disables the sweep. Default `60_000`. */
  sweepIntervalMs?: number;
}

/** Default {@link FileSessionStoreOptions.compactAfterBytes}. */
export const DEFAULT_COMPACT_AFTER_BYTES = 8 * 1024 * 1024;
