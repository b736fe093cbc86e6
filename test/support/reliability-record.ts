import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './processes.js';

/** A figure a test measured, as the README's Reliability table shows it. */
export type ReliabilityFigure = number | string | boolean;

/** Where the figures of the last run are kept (git-ignored). */
export const RELIABILITY_FILE = join(ROOT, 'test', 'artifacts', 'reliability.json');

const ATTEMPTS = 20;

/**
 * Merges `figures` into {@link RELIABILITY_FILE}, keeping every other key.
 *
 * Jest may run test files in parallel workers, so the write is atomic (a
 * temporary file renamed over the old one) and optimistic: after renaming,
 * the file is read back, and if a concurrent writer replaced it with a
 * version that lacks our figures, the merge is done again.
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
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const merged = { ...(await readFigures(file)), ...figures };
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(sortKeys(merged), null, 2)}\n`);
      await rename(temporary, file);
    } finally {
      await rm(temporary, { force: true });
    }
    const after = await readFigures(file);
    if (Object.entries(figures).every(([key, value]) => after[key] === value)) return;
    await sleep(5 + Math.random() * 20 * (attempt + 1));
  }
  throw new Error(
    `Could not record ${Object.keys(figures).join(', ')} in ${file}: too many concurrent writers`,
  );
}

/**
 * Everything recorded so far (an empty object when there is no file yet).
 * Values other tests wrote are kept as they are, whatever their shape.
 */
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

function sortKeys(figures: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(figures).sort(([a], [b]) => a.localeCompare(b)));
}
