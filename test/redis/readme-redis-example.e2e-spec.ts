/**
 * The Redis example of `docs/sessions/stores.md` closes what it opens: after `app.close()` the process exits on its
 * own (no Redis socket keeps it alive), and the page shows exactly the code that was run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEMO_SECRET } from '../support/demo-cluster.js';
import { REDIS_URL, redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

const MODULE_SOURCE = resolve(process.cwd(), 'test/fixtures/readme/redis-example.module.ts');
const MAIN = resolve(process.cwd(), 'dist-test/fixtures/readme/redis-example.main.js');

describe('docs/sessions/stores.md: the Redis example', () => {
  it('is the code the test runs, verbatim', () => {
    const source = readFileSync(MODULE_SOURCE, 'utf8');
    const snippet = /\/\/ README:redis-example:start\n([\s\S]*?)\/\/ README:redis-example:end/.exec(
      source,
    )?.[1];
    expect(snippet).toBeDefined();
    expect(readFileSync(resolve(process.cwd(), 'docs/sessions/stores.md'), 'utf8')).toContain(snippet);
  });
});

describeRedis('docs/sessions/stores.md: the Redis example on a real Redis', () => {
  it('serves a session-writing request, then app.close() leaves nothing open: the process exits by itself', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, REDIS_URL, SESSION_SECRET: DEMO_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = await new Promise<number | null | 'alive'>((resolveExit) => {
      const timer = setTimeout(() => resolveExit('alive'), 10_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolveExit(code);
      });
    });
    if (exit === 'alive') child.kill('SIGKILL');
    expect(output).toContain('status 200 {"visits":1}');
    expect(output).toContain('end 200 {"ended":true}');
    expect(output).toContain('closed');
    expect({ exit, output }).toEqual({ exit: 0, output });
  }, 20_000);
});
