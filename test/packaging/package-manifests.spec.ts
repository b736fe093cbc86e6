/**
 * The two libraries' package.json files agree with themselves: every subpath of `exports` has a
 * `typesVersions` entry naming the same declaration file (without it, a CommonJS consumer with
 * `moduleResolution: node10` gets no types for that subpath), every subpath has its source entry
 * point, and `typesVersions` names nothing `exports` does not. The tarball test then compiles a
 * node10 consumer against every subpath of the packed libraries.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

interface SubpathTarget {
  readonly '@nest-hive/source': string;
  readonly types: string;
  readonly default: string;
}

interface Manifest {
  readonly exports: Record<string, SubpathTarget | string>;
  readonly typesVersions: { readonly '*': Record<string, readonly string[]> };
}

/** The subpaths (without `./`) a manifest exports, with their targets; the root and package.json left out. */
function exportedSubpaths(manifest: Manifest): Map<string, SubpathTarget> {
  const subpaths = new Map<string, SubpathTarget>();
  for (const [key, target] of Object.entries(manifest.exports)) {
    if (key === '.' || key === './package.json' || typeof target === 'string') continue;
    subpaths.set(key.replace(/^\.\//, ''), target);
  }
  return subpaths;
}

function manifestOf(lib: string): Manifest {
  return JSON.parse(readFileSync(join('libs', lib, 'package.json'), 'utf8')) as Manifest;
}

describe.each(['session', 'cluster'])('@nest-hive/%s package.json', (lib) => {
  const manifest = manifestOf(lib);
  const subpaths = exportedSubpaths(manifest);

  it('exports subpaths (the check below has something to check)', () => {
    expect(subpaths.size).toBeGreaterThan(3);
  });

  it('has a typesVersions entry for every subpath, naming the declarations exports names', () => {
    const typesVersions = manifest.typesVersions['*'];
    for (const [subpath, target] of subpaths) {
      expect({ subpath, typesVersions: typesVersions[subpath] }).toEqual({
        subpath,
        typesVersions: [target.types.replace(/^\.\//, '')],
      });
    }
    expect(Object.keys(typesVersions).sort()).toEqual([...subpaths.keys()].sort());
  });

  it('points every subpath at a source entry point that exists', () => {
    for (const target of subpaths.values()) {
      expect(existsSync(join('libs', lib, target['@nest-hive/source']))).toBe(true);
    }
  });
});
