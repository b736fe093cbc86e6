import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonSizeBound } from './json-size-bound.js';

const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

describe('jsonSizeBound', () => {
  it('is never below the real JSON size of any JSON value (property, unicode and escapes included)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'medium' }), (value) => {
        const bound = jsonSizeBound(value, Number.MAX_SAFE_INTEGER);
        if (Number.isFinite(bound)) expect(bound).toBeGreaterThanOrEqual(size(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('holds for strings full of control characters and astral code points', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '"', '\\') }),
        (a, b) => {
          expect(jsonSizeBound({ a, b }, Number.MAX_SAFE_INTEGER)).toBeGreaterThanOrEqual(size({ a, b }));
        },
      ),
    );
  });

  it('bounds the longest numbers JSON can print', () => {
    for (const n of [
      -0.0000010001334241151421, -1.2345678901234567e-308, -1.7976931348623157e308, -123456789012345680000,
    ]) {
      expect(jsonSizeBound(n, Number.MAX_SAFE_INTEGER)).toBeGreaterThanOrEqual(size(n));
    }
  });

  it('gives up (Infinity) past the budget, on BigInt, on toJSON and on deep nesting', () => {
    expect(jsonSizeBound({ text: 'x'.repeat(1_000) }, 100)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonSizeBound({ n: 10n }, 1_000)).toBe(Number.POSITIVE_INFINITY);
    expect(jsonSizeBound({ at: new Date() }, 1_000)).toBe(Number.POSITIVE_INFINITY);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(jsonSizeBound(deep, 1_000_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('stays close to the real size of plain messages', () => {
    const message = {
      ns: 'nest-hive',
      v: 1,
      id: 'a.1.2',
      topic: 't',
      payload: { seq: 1, ok: true, list: [1, 2] },
    };
    const bound = jsonSizeBound(message, 10_000);
    expect(bound).toBeGreaterThanOrEqual(size(message));
    expect(bound).toBeLessThan(size(message) * 6);
  });
});
