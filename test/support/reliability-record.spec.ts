import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFigures, recordReliability } from './reliability-record.js';

describe('recordReliability', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reliability-'));
    file = join(dir, 'artifacts', 'reliability.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates the folder and the file, then merges keys without dropping others, whatever their shape', async () => {
    await recordReliability({ 'a.one': 1 }, file);
    await writeFile(file, JSON.stringify({ ...(await readFigures(file)), 'other.table': { rows: [1, 2] } }));
    await recordReliability({ 'b.two': 'two', 'a.one': 11 }, file);
    expect(await readFigures(file)).toEqual({ 'a.one': 11, 'b.two': 'two', 'other.table': { rows: [1, 2] } });
  });

  it('loses no key when many writers record at the same time, and leaves no temporary file', async () => {
    const writers = Array.from({ length: 30 }, (_, i) => recordReliability({ [`key.${i}`]: i }, file));
    await Promise.all(writers);
    const figures = await readFigures(file);
    expect(Object.keys(figures)).toHaveLength(30);
    for (let i = 0; i < 30; i++) expect(figures[`key.${i}`]).toBe(i);
    expect(await readdir(join(dir, 'artifacts'))).toEqual(['reliability.json']);
  });
});
