import { describe, expect, it } from '@jest/globals';
import { sessionOwner, stickySessionId } from './engine-session-id.js';

describe('sticky engine.io session ids', () => {
  it('name their worker and carry 120 random bits, URL-safe', () => {
    const ids = new Set(Array.from({ length: 1_000 }, () => stickySessionId(17)));
    expect(ids.size).toBe(1_000);
    for (const id of ids) {
      expect(id).toMatch(/^17\.[A-Za-z0-9_-]{20}$/);
      expect(sessionOwner(id)).toBe(17);
    }
  });

  it.each(['', '.', '.abc', 'abc', 'x1.abc', '1x.abc', '-1.abc', '1234567890123.abc', '١.abc', 'abc.def'])(
    'reads no owner from %j',
    (sid) => {
      expect(sessionOwner(sid)).toBeUndefined();
    },
  );
});
