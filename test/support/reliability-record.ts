import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';

/** Where the reliability tests leave the figures they measured (git-ignored). */
export const RELIABILITY_RECORD = join(ROOT, 'test', 'artifacts', 'reliability.json');

/**
 * Merges `figures` into {@link RELIABILITY_RECORD}, keeping other tests'
 * keys: read, merge, write to a temporary file, rename (atomic). Test files
 * may run in parallel workers, so a write that raced another is retried.
 */
export function recordFigures(figures: Record<string, number | string | boolean>): void {
  mkdirSync(join(ROOT, 'test', 'artifacts'), { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = readRecord();
    const merged = { ...current, ...figures, updatedAt: new Date().toISOString() };
    const temporary = `${RELIABILITY_RECORD}.${process.pid}.${attempt}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(merged, null, 2)}\n`);
    renameSync(temporary, RELIABILITY_RECORD);
    const written = readRecord();
    if (Object.entries(figures).every(([key, value]) => written[key] === value)) return;
  }
}

function readRecord(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(RELIABILITY_RECORD, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
