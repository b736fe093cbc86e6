import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tmpfs mounted for one test: a small or read-only place for a session file. */
export interface TmpfsMount {
  /** The mount point. */
  readonly dir: string;
  /** Unmounts (lazily, if a process still holds a file there) and removes the mount point. Idempotent. */
  unmount(): void;
}

/** Options of {@link mountTmpfs}. */
export interface TmpfsOptions {
  /** Size of the file system in KiB. */
  readonly sizeKiB: number;
  /** Mount it read-only: every write in it fails with `EROFS`. */
  readonly readOnly?: boolean;
}

/**
 * Mounts a fresh tmpfs on a new directory under the system temp dir (needs root, as the test
 * machines run). Always pair it with `unmount()` in an `afterAll` or a `finally`.
 *
 * @example
 * ```ts
 * const disk = mountTmpfs({ sizeKiB: 1024 });
 * try { ... } finally { disk.unmount(); }
 * ```
 */
export function mountTmpfs(options: TmpfsOptions): TmpfsMount {
  const dir = mkdtempSync(join(tmpdir(), 'nest-hive-tmpfs-'));
  const flags = [`size=${options.sizeKiB}k`, 'mode=0755', ...(options.readOnly ? ['ro'] : [])];
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', flags.join(','), 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(dir);
    throw new Error(`cannot mount a tmpfs on ${dir} (these tests need root): ${(error as Error).message}`);
  }
  let mounted = true;
  return {
    dir,
    unmount: () => {
      if (!mounted) return;
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        // Busy (a process still holds a file there): detach it now; the kernel frees it when let go.
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      mounted = false;
      rmdirSync(dir);
    },
  };
}

/**
 * Fills the file system holding `path` with a file there: writes ever smaller chunks until not
 * even one byte fits (`ENOSPC`). Returns the bytes written.
 */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    for (let chunk = 64 * 1024; chunk >= 1;) {
      try {
        written += writeSync(fd, Buffer.alloc(chunk, 0x2e));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        chunk = Math.floor(chunk / 2);
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}
