import { describe, expect, it } from '@jest/globals';
import { skipAllowed } from './allow-skip.js';
import { browserSuiteMode, CHROMIUM_PATH } from './browser.js';
import { redisReachable } from './redis.js';

describe('skips are opt-in (NEST_HIVE_ALLOW_SKIP)', () => {
  it('allows a skip only for a service the variable names', () => {
    expect(skipAllowed('redis', {})).toBe(false);
    expect(skipAllowed('redis', { CI: 'false' })).toBe(false);
    expect(skipAllowed('redis', { NEST_HIVE_ALLOW_SKIP: '' })).toBe(false);
    expect(skipAllowed('redis', { NEST_HIVE_ALLOW_SKIP: 'postgres,chromium' })).toBe(false);
    expect(skipAllowed('redis', { NEST_HIVE_ALLOW_SKIP: 'postgres, Redis' })).toBe(true);
    expect(skipAllowed('chromium', { NEST_HIVE_ALLOW_SKIP: 'all' })).toBe(true);
    expect(skipAllowed('fleet', { NEST_HIVE_ALLOW_SKIP: 'redis' })).toBe(false);
    expect(skipAllowed('fleet', { NEST_HIVE_ALLOW_SKIP: 'redis,fleet' })).toBe(true);
  });

  it('fails the browser suite without Chromium unless the skip is allowed, whatever CI says', () => {
    const missing = `${CHROMIUM_PATH}-not-installed`;
    expect(browserSuiteMode({}, missing)).toBe('fail');
    expect(browserSuiteMode({ CI: '1' }, missing)).toBe('fail');
    expect(browserSuiteMode({ NEST_HIVE_ALLOW_SKIP: 'chromium' }, missing)).toBe('skip');
  });

  it('throws, naming the fix and the opt-in, when Redis is unreachable and the skip is not allowed', async () => {
    const dead = 'redis://127.0.0.1:1';
    await expect(redisReachable(dead, {})).rejects.toThrow(
      /unreachable.*redis-server.*NEST_HIVE_ALLOW_SKIP=redis/s,
    );
    await expect(redisReachable(dead, { NEST_HIVE_ALLOW_SKIP: 'redis' })).resolves.toBe(false);
  });
});
