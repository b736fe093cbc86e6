import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';

/**
 * The README's complete examples: every ```ts block whose first line names
 * its file (`// src/…`). A block that names a file again starts a variant of
 * the example, with that file replaced. Each variant is type-checked as a
 * project of its own, against the libraries' sources, so the README cannot
 * drift from the code.
 */
function readmeProjects(): Array<Map<string, string>> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const projects: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  for (const match of readme.matchAll(/```ts\n\/\/ (src\/[\w./-]+\.ts)\n([\s\S]*?)```/g)) {
    const [, path, body] = match;
    if (current.has(path)) {
      projects.push(current);
      current = new Map(current);
    }
    current.set(path, `// ${path}\n${body}`);
  }
  if (current.size > 0) projects.push(current);
  return projects;
}

const projects = readmeProjects();

describe('README examples', () => {
  it('has complete examples to check (the Passport recipe and its lazy variant)', () => {
    expect(projects.length).toBeGreaterThanOrEqual(2);
    expect([...projects[0].keys()]).toEqual(expect.arrayContaining(['src/main.ts', 'src/app.module.ts']));
  });

  it.each(projects.map((files, index) => [index + 1, files] as const))(
    'variant %i compiles as written',
    (index, files) => {
      const dir = join(ROOT, 'dist-test', 'readme-examples', String(index));
      rmSync(dir, { recursive: true, force: true });
      for (const [path, text] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: '../../../tsconfig.base.json',
          compilerOptions: { noEmit: true, incremental: false, customConditions: ['@nest-hive/source'] },
          include: ['src/**/*.ts'],
        }),
      );
      const result = spawnSync(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', join(dir, 'tsconfig.json')],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
    60_000,
  );
});
