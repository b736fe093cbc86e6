import { describe, expect, it } from '@jest/globals';
import { fuzzSeed } from './fuzz-seed.js';

describe('fuzz seeds', () => {
  it('are fresh on each run without FUZZ_SEED', () => {
    const seeds = new Set(Array.from({ length: 5 }, () => fuzzSeed('spec', {})));
    expect(seeds.size).toBeGreaterThan(1);
    for (const seed of seeds) expect(Number.isSafeInteger(seed)).toBe(true);
  });

  it('replay the run FUZZ_SEED names, and refuse a seed that is not an integer', () => {
    expect(fuzzSeed('spec', { FUZZ_SEED: '6082026' })).toBe(6_082_026);
    expect(() => fuzzSeed('spec', { FUZZ_SEED: '12ab' })).toThrow(/FUZZ_SEED=12ab is not an integer/);
  });
});
