import { describe, expect, it } from '@jest/globals';
import { generateSessionId } from './session-id.js';
import { SESSION_ID_PATTERN } from '../session.constants.js';

describe('generateSessionId', () => {
  it('11. carries at least 128 random bits, is URL-safe, and 100 000 ids are unique', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = generateSessionId();
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      ids.add(id);
    }
    expect(ids.size).toBe(100_000);
    const sample = generateSessionId();
    expect(Buffer.from(sample, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(sample).toBe(encodeURIComponent(sample));
    expect(SESSION_ID_PATTERN.test(sample)).toBe(true);
  });

  it('spreads its bits: every base64url character shows up across many ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const ch of generateSessionId()) seen.add(ch);
    expect(seen.size).toBe(64);
  });
});
