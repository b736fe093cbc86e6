/**
 * prom-client and @nestjs/terminus are optional peer dependencies: only the subpaths made for them
 * may import them. This walks the import graph (static and dynamic imports) of every other entry
 * point's source and fails when one of them can reach either package.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const OPTIONAL = ['prom-client', '@nestjs/terminus'];

const ENTRIES = [
  'libs/cluster/src/index.ts',
  'libs/cluster/src/redis/index.ts',
  'libs/cluster/src/environment/index.ts',
  'libs/cluster/src/extensions/index.ts',
  'libs/cluster/src/monitor/index.ts',
  'libs/session/src/index.ts',
  'libs/session/src/redis/index.ts',
  'libs/session/src/express/index.ts',
  'libs/session/src/cluster/index.ts',
];

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every package specifier the files reachable from `entry` import, with the file importing it. */
function packagesReachable(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [resolve(process.cwd(), entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.set(specifier, file);
    }
  }
  return packages;
}

describe('optional peer dependencies', () => {
  it.each(ENTRIES)('%s reaches neither prom-client nor @nestjs/terminus', (entry) => {
    const reached = packagesReachable(entry);
    expect(reached.size).toBeGreaterThan(0);
    for (const name of OPTIONAL) expect([name, reached.get(name)]).toEqual([name, undefined]);
  });

  it('the integration subpaths do import them (the walk sees them)', () => {
    expect(packagesReachable('libs/cluster/src/metrics/index.ts').has('prom-client')).toBe(true);
    expect(packagesReachable('libs/cluster/src/terminus/index.ts').has('@nestjs/terminus')).toBe(true);
    expect(packagesReachable('libs/session/src/metrics/index.ts').has('prom-client')).toBe(true);
    expect(packagesReachable('libs/session/src/terminus/index.ts').has('@nestjs/terminus')).toBe(true);
  });
});
