import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = (project: string) =>
  spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], {
    cwd: root,
    encoding: 'utf8',
  });

describe('20. SessionData augmentation', () => {
  it('type-checks a typed session, with every misuse flagged', () => {
    const result = tsc('test/types/tsconfig.json');
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails to compile a wrong key type', () => {
    const result = tsc('test/types/tsconfig.fail.json');
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(
      /session-data\.fail\.test-d\.ts\(12,1\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });
});
