/**
 * The libraries' source files stay at or under 300 lines (specs and type tests aside): past that, a
 * file holds more than one job (see docs/architecture.md). A file that needs to grow
 * is split along its seams instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const MAX_LINES = 300;
const LIBRARIES = ['libs/session/src', 'libs/cluster/src'];

/** Every library source file below `dir` (no specs, no type tests). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .filter((entry) => !/\.(spec|test-d)\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('library source files', () => {
  const files = LIBRARIES.flatMap(sourceFiles);

  it('are found (the check below has files to check)', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it(`have at most ${MAX_LINES} lines each`, () => {
    const tooLong = files
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(tooLong).toEqual([]);
  });
});
