import { mkdirSync, readFileSync, statSync, unlinkSync, utimes, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { SessionFileError } from './session-file.errors.js';

/** How often a holder refreshes its lock's modification time. */
const HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this long belongs to no live process (its holder was killed or its host lost). */
const STALE_AFTER_MS = 20_000;
/** A lock without a readable holder this old was left by a process killed while taking it. */
const UNREADABLE_STALE_AFTER_MS = 1_000;

/** Session files locked by this process: a second store on the same file is refused too. */
const heldHere = new Set<string>();

interface Holder {
  readonly pid: number;
  readonly host: string;
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, host } = value as Record<string, unknown>;
    return typeof pid === 'number' && typeof host === 'string' ? { pid, host } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The age (ms) of a lock's last refresh, or `undefined` when it is gone. */
function ageOf(lockPath: string): number | undefined {
  try {
    return Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's holder is gone: a process of this host that no longer runs (or this very
 * pid, reused after a restart, as in a container), or a lock nobody refreshed for
 * {@link STALE_AFTER_MS}.
 */
function isStale(lockPath: string, holder: Holder | undefined): boolean {
  const age = ageOf(lockPath) ?? Infinity;
  if (!holder) return age > UNREADABLE_STALE_AFTER_MS;
  if (holder.host === hostname() && (holder.pid === process.pid || !isAlive(holder.pid))) return true;
  return age > STALE_AFTER_MS;
}

/**
 * One process's claim on a session file: `<file>.lock`, holding the pid and the host, created
 * exclusively and refreshed every few seconds. A lock whose holder is dead, or that nobody
 * refreshed for 20 s, is taken over; any other is refused with a `SessionFileError` naming its
 * holder, so two primaries never write one file.
 */
export class SessionFileLock {
  private readonly heartbeat: NodeJS.Timeout;
  private released = false;
  private readonly releaseOnExit = (): void => this.release();

  private constructor(
    private readonly filePath: string,
    private readonly lockPath: string,
    private readonly content: string,
  ) {
    heldHere.add(filePath);
    this.heartbeat = setInterval(() => {
      const now = new Date();
      utimes(lockPath, now, now, () => undefined);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    process.once('exit', this.releaseOnExit);
  }

  /** Takes the lock of `filePath` (creating its directory), or throws a `SessionFileError` (`locked` or `unwritable`). */
  static acquire(filePath: string): SessionFileLock {
    const lockPath = `${filePath}.lock`;
    if (heldHere.has(filePath)) {
      throw new SessionFileError(
        filePath,
        'locked',
        'another store of this process has it open. Share one store, or give each its own path.',
      );
    }
    try {
      mkdirSync(dirname(filePath), { recursive: true });
    } catch (error) {
      throw unwritable(filePath, 'its directory', error);
    }
    const content = JSON.stringify({ pid: process.pid, host: hostname() });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lockPath, content, { flag: 'wx' });
        return new SessionFileLock(filePath, lockPath, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(filePath, lockPath, error);
      }
      const holder = readHolder(lockPath);
      if (!isStale(lockPath, holder)) {
        const who = holder ? `process ${holder.pid} on ${holder.host}` : 'another process';
        throw new SessionFileError(
          filePath,
          'locked',
          `it is in use by ${who} (lock file ${lockPath}). A session file belongs to one primary: ` +
            'stop the other one, or give this app its own path.',
        );
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // Another process took it over first: the next attempt finds its lock.
      }
    }
    throw new SessionFileError(
      filePath,
      'locked',
      `another process took its lock (${lockPath}) at the same time.`,
    );
  }

  /** Gives the lock back (idempotent); a lock another process took over is left alone. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    process.removeListener('exit', this.releaseOnExit);
    heldHere.delete(this.filePath);
    try {
      if (readFileSync(this.lockPath, 'utf8') === this.content) unlinkSync(this.lockPath);
    } catch {
      // Already gone.
    }
  }
}

/** The error for a file whose directory refuses writes (read-only, no permission, no such place). */
export function unwritable(filePath: string, what: string, cause: unknown): SessionFileError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'an error';
  return new SessionFileError(
    filePath,
    'unwritable',
    `cannot write ${what} (${code}). Give the store a path in a writable directory, ` +
      'or keep sessions in memory only.',
    { cause },
  );
}
