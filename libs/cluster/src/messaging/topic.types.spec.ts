import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const root = process.cwd();
const typeTest = resolve(root, 'libs/cluster/src/messaging/topic.test-d.ts');
const tsc = resolve(root, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'nest-hive-types-'));

/** Type-checks one file with the project's compiler settings; resolves with tsc's exit code and output. */
function typecheck(file: string): Promise<{ code: number; output: string }> {
  const config = join(work, `tsconfig.${Date.now()}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: resolve(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        incremental: false,
        noUnusedLocals: false,
        noUnusedParameters: false,
        typeRoots: [resolve(root, 'node_modules/@types')],
      },
      files: [file],
    }),
  );
  return new Promise((done) => {
    execFile(process.execPath, [tsc, '-p', config], { cwd: root }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('typed topics (compiled with tsc)', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const source = readFileSync(typeTest, 'utf8');
  const expected = source.split('\n').filter((line) => line.trim().startsWith('// @ts-expect-error')).length;

  it('compiles correct uses and rejects every wrong payload, reply and handler type', async () => {
    expect(expected).toBeGreaterThanOrEqual(10);
    const { code, output } = await typecheck(typeTest);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 60_000);

  it('really fails without the @ts-expect-error directives (the check can fail)', async () => {
    const stripped = join(
      resolve(root, 'libs/cluster/src/messaging'),
      `.topic-stripped-${process.pid}.test-d.ts`,
    );
    writeFileSync(stripped, source.replace(/\/\/ @ts-expect-error.*$/gm, '//'));
    try {
      const { code, output } = await typecheck(stripped);
      expect(code).not.toBe(0);
      const errorLines = output.split('\n').filter((line) => line.includes('error TS')).length;
      expect(errorLines).toBe(expected);
    } finally {
      rmSync(stripped, { force: true });
    }
  }, 60_000);
});
