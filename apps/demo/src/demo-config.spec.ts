import { describe, expect, it } from '@jest/globals';
import { readDemoConfig } from './demo-config.js';
import { demoSessionOptions } from './demo-options.js';

const SECRET = 'Qm7Xc2Vb9Nz4Lk8Jh3Gf6Ds1Ap5Ow0Ie-_Ru2Ty7Uo4Pz9Xa';

describe('readDemoConfig: MAX_SESSIONS_PER_USER', () => {
  const read = (cap: string | undefined) =>
    readDemoConfig({ SESSION_SECRET: SECRET, MAX_SESSIONS_PER_USER: cap }).maxSessionsPerUser;

  it('is no cap when unset or empty, and a whole number of 1 or more otherwise', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read('')).toBeUndefined();
    expect(read('1')).toBe(1);
    expect(read(' 25 ')).toBe(25);
  });

  it.each(['0', '-1', '2.5', 'two', '1e3', '0x10', '02', '9007199254740993'])(
    'refuses %j at start-up, naming the variable',
    (cap) => {
      expect(() => read(cap)).toThrow(
        `MAX_SESSIONS_PER_USER must be a whole number of 1 or more (unset for no cap), got "${cap}".`,
      );
    },
  );

  it('becomes users.maxSessionsPerUser; without it the session options leave users unset', async () => {
    const capped = readDemoConfig({ SESSION_SECRET: SECRET, MAX_SESSIONS_PER_USER: '2' });
    expect((await demoSessionOptions(capped)).users).toEqual({ maxSessionsPerUser: 2 });
    const free = readDemoConfig({ SESSION_SECRET: SECRET });
    expect((await demoSessionOptions(free)).users).toBeUndefined();
  });
});

describe('readDemoConfig: restart rules and chaos', () => {
  it('reads WORKER_MAX_MEMORY_MB, WORKER_HANG_TIMEOUT_MS and WORKER_MAX_AGE_MS; unset keeps the defaults', () => {
    const config = readDemoConfig({
      SESSION_SECRET: SECRET,
      WORKER_MAX_MEMORY_MB: '512',
      WORKER_HANG_TIMEOUT_MS: '5000',
      WORKER_MAX_AGE_MS: '',
      DEMO_ALLOW_CHAOS: '1',
    });
    expect(config.recycle).toEqual({ maxMemoryMb: 512, hangTimeoutMs: 5000, maxAgeMs: undefined });
    expect(config.allowChaos).toBe(true);
    expect(readDemoConfig({ SESSION_SECRET: SECRET }).allowChaos).toBe(false);
  });

  it('reads SHUTDOWN_DELAY_MS (default 0) and refuses a value that is not a whole number', () => {
    expect(readDemoConfig({ SESSION_SECRET: SECRET }).shutdownDelayMs).toBe(0);
    expect(readDemoConfig({ SESSION_SECRET: SECRET, SHUTDOWN_DELAY_MS: '2000' }).shutdownDelayMs).toBe(2000);
    expect(() => readDemoConfig({ SESSION_SECRET: SECRET, SHUTDOWN_DELAY_MS: '2s' })).toThrow(
      'SHUTDOWN_DELAY_MS must be a whole number of 1 or more (unset for the default), got "2s".',
    );
  });

  it.each(['0', '-5', '1.5', 'lots'])(
    'refuses WORKER_MAX_MEMORY_MB=%j at start-up, naming the variable',
    (mb) => {
      expect(() => readDemoConfig({ SESSION_SECRET: SECRET, WORKER_MAX_MEMORY_MB: mb })).toThrow(
        `WORKER_MAX_MEMORY_MB must be a whole number of 1 or more (unset for the default), got "${mb}".`,
      );
    },
  );
});
