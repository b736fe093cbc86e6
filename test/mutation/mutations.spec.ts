/**
 * Keeps `npm run mutate` from rotting: every mutation's anchors still occur exactly once in the
 * source it edits (applied in order, as the script does), each edit changes something, and every
 * spec meant to catch it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';

interface Edit {
  file: string;
  anchor: string;
  replacement: string;
}
interface Mutation {
  id: string;
  bug: string;
  edits: Edit[];
  specs: string[];
}

const { mutations } = JSON.parse(readFileSync(join(ROOT, 'test/mutation/mutations.json'), 'utf8')) as {
  mutations: Mutation[];
};

describe('the mutation list of npm run mutate', () => {
  it('has unique ids', () => {
    expect(mutations.length).toBeGreaterThanOrEqual(11);
    expect(new Set(mutations.map((m) => m.id)).size).toBe(mutations.length);
  });

  it.each(mutations.map((m) => [m.id, m] as const))(
    '%s: anchors match the source once, specs exist',
    (_id, mutation) => {
      expect(mutation.bug.length).toBeGreaterThan(10);
      expect(mutation.edits.length).toBeGreaterThan(0);
      const sources = new Map<string, string>();
      for (const edit of mutation.edits) {
        const source = sources.get(edit.file) ?? readFileSync(join(ROOT, edit.file), 'utf8');
        const occurrences = source.split(edit.anchor).length - 1;
        expect({ file: edit.file, anchor: edit.anchor, occurrences }).toEqual({
          file: edit.file,
          anchor: edit.anchor,
          occurrences: 1,
        });
        expect(edit.replacement).not.toBe(edit.anchor);
        sources.set(
          edit.file,
          source.replace(edit.anchor, () => edit.replacement),
        );
      }
      expect(mutation.specs.length).toBeGreaterThan(0);
      for (const spec of mutation.specs)
        expect({ spec, exists: existsSync(join(ROOT, spec)) }).toEqual({ spec, exists: true });
    },
  );
});
