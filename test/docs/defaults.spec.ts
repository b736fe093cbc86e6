/**
 * The table of `bootstrapCluster` options (docs/cluster/bootstrap-and-supervision.md) must state
 * the defaults the code applies.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CLUSTER_OPTIONS } from '@nest-hive/cluster';

const PAGE = 'docs/cluster/bootstrap-and-supervision.md';
const TEXT = readFileSync(resolve(process.cwd(), PAGE), 'utf8');

/** The `| option | default | meaning |` rows of the `bootstrapCluster(options)` section. */
function documentedDefaults(): Map<string, string> {
  const section = TEXT.split(/^#+ `bootstrapCluster\(options\)`$/m)[1]?.split('\n#')[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const option = /^`([\w.]+)`$/.exec(cells[1] ?? '')?.[1];
    if (option) rows.set(option, cells[2] ?? '');
  }
  return rows;
}

/** Every default as `name` / `restart.name` → value. */
function codeDefaults(): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  const walk = (prefix: string, value: object): void => {
    for (const [key, entry] of Object.entries(value) as Array<[string, unknown]>) {
      if (typeof entry === 'object' && entry !== null) walk(`${prefix}${key}.`, entry);
      else flat.set(`${prefix}${key}`, entry);
    }
  };
  walk('', DEFAULT_CLUSTER_OPTIONS);
  return flat;
}

/** How the README writes a value: `'auto'`, `30000`, `null`. */
function written(value: unknown): string {
  return typeof value === 'string' ? `\`'${value}'\`` : `\`${String(value)}\``;
}

describe(`${PAGE}: bootstrapCluster defaults table`, () => {
  it('lists every default of DEFAULT_CLUSTER_OPTIONS with the value the code uses', () => {
    const documented = documentedDefaults();
    const defaults = codeDefaults();
    expect(defaults.size).toBeGreaterThan(10);
    for (const [option, value] of defaults) {
      expect({ option, documented: documented.get(option) }).toEqual({ option, documented: written(value) });
    }
  });
});
