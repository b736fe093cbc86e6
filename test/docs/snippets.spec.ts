import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';
import { markdownFiles, readDoc } from './markdown.js';

/**
 * The complete examples of the README and of every page of `docs/`: each ```ts block whose first
 * line names its file (`// src/…`). Within one page, a block that names a file again starts a
 * variant of the example, with that file replaced. Each variant is type-checked as a project of
 * its own, against the libraries' sources, so the documentation cannot drift from the code.
 */
function documentedProjects(): Array<{ page: string; files: Map<string, string> }> {
  const projects: Array<{ page: string; files: Map<string, string> }> = [];
  for (const page of markdownFiles()) {
    let current = new Map<string, string>();
    for (const match of readDoc(page).matchAll(/```ts\n\/\/ (src\/[\w./-]+\.ts)\n([\s\S]*?)```/g)) {
      const [, path, body] = match;
      if (current.has(path)) {
        projects.push({ page, files: current });
        current = new Map(current);
      }
      current.set(path, `// ${path}\n${body}`);
    }
    if (current.size > 0) projects.push({ page, files: current });
  }
  return projects;
}

const projects = documentedProjects();

describe('complete examples of the README and docs/', () => {
  it('has examples to check: each library in the README, the Passport recipe and its lazy variant', () => {
    const pages = projects.map(({ page }) => page);
    const readme = projects.find(({ page }) => page === 'README.md');
    expect([...(readme?.files.keys() ?? [])].sort()).toEqual(['src/app.module.ts', 'src/main.ts']);
    expect(pages.filter((page) => page === 'docs/sessions/passport.md').length).toBeGreaterThanOrEqual(2);
    const passport = projects.find(({ page }) => page === 'docs/sessions/passport.md');
    expect([...(passport?.files.keys() ?? [])]).toEqual(
      expect.arrayContaining(['src/main.ts', 'src/app.module.ts']),
    );
  });

  it.each(projects.map(({ page, files }, index) => [index + 1, page, files] as const))(
    'example %i (%s) compiles as written',
    (index, _page, files) => {
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
