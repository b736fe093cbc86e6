import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './processes.js';

/** A figure a test measured, as the Reliability table of docs/reliability.md shows it. */
export type ReliabilityFigure = number | string | boolean;

/** Where the figures of the last run are kept (git-ignored). */
export const RELIABILITY_FILE = join(ROOT, 'test', 'artifacts', 'reliability.json');

/** Longest wait for the lock before giving up. */
const LOCK_TIMEOUT_MS = 10_000;
/** A lock older than this was left by a writer that died: it is taken over. */
const STALE_LOCK_MS = 5_000;

/**
 * Merges `figures` into {@link RELIABILITY_FILE}, keeping every other key
 * (whatever its shape: other tests may record objects).
 *
 * Jest may run test files in parallel workers, so writers take turns: each
 * holds an exclusive lock file (`<file>.lock`, created with `O_EXCL`) while
 * it reads, merges and writes; the write itself is atomic (a temporary file
 * renamed over the old one), so a reader never sees half a file. A lock
 * left by a writer that died is taken over after {@link STALE_LOCK_MS}.
 *
 * @example
 * ```ts
 * await recordReliability({ 'flood.requests': 100_000, 'flood.storeEntries': 0 });
 * ```
 */
export async function recordReliability(
  figures: Record<string, ReliabilityFigure>,
  file = RELIABILITY_FILE,
): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const release = await lock(`${file}.lock`);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const merged = { ...(await readFigures(file)), ...figures };
    await writeFile(temporary, `${JSON.stringify(sortKeys(merged), null, 2)}\n`);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
    await release();
  }
}

/** Everything recorded so far (an empty object when there is no file yet). */
export async function readFigures(file = RELIABILITY_FILE): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} does not hold a JSON object`);
  }
  return { ...parsed };
}

/** Takes the lock file; resolves with the function that releases it. */
async function lock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(path).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(path, { force: true });
    if (Date.now() > deadline) throw new Error(`${path} stayed locked for ${LOCK_TIMEOUT_MS} ms`);
    await sleep(2 + Math.random() * 10);
  }
}

function sortKeys(figures: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
}
