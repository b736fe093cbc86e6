import { describe, expect, it, jest } from '@jest/globals';
import { sign as referenceSign, unsign as referenceUnsign } from 'cookie-signature';

const A = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
const B = 'Zp4Lw8Nq2Vx6Br0Ts5Yk9Hm3Jd7Fc1Ga-_Ue8Qi4Oy6Mx2Ce';

const actualCrypto = await import('node:crypto');
const timingSafeEqual = jest.fn(actualCrypto.timingSafeEqual);
jest.unstable_mockModule('node:crypto', () => ({ ...actualCrypto, timingSafeEqual }));
const { CookieSigner } = await import('./cookie-signer.js');

describe('CookieSigner', () => {
  it('writes the cookie-signature format, and each reads the other', () => {
    const signer = new CookieSigner([A]);
    expect(signer.sign('abc')).toBe(referenceSign('abc', A));
    expect(signer.unsign(referenceSign('some-id', A))).toBe('some-id');
    expect(referenceUnsign(signer.sign('some-id'), A)).toBe('some-id');
  });

  it('10. signs with the first secret and verifies with any', () => {
    const rotated = new CookieSigner([A, B]);
    expect(rotated.sign('id')).toBe(referenceSign('id', A));
    expect(rotated.unsign(referenceSign('id', B))).toBe('id');
    expect(new CookieSigner([A]).unsign(referenceSign('id', B))).toBeUndefined();
  });

  it('rejects unsigned, truncated and tampered values', () => {
    const signer = new CookieSigner([A]);
    const good = signer.sign('value');
    expect(signer.unsign('value')).toBeUndefined();
    expect(signer.unsign('.sig')).toBeUndefined();
    expect(signer.unsign(good.slice(0, -1))).toBeUndefined();
    expect(signer.unsign(`${good}x`)).toBeUndefined();
    expect(signer.unsign(`valuE${good.slice(5)}`)).toBeUndefined();
  });

  it('11. compares signatures in constant time (timingSafeEqual on equal-length buffers, never ===)', () => {
    const signer = new CookieSigner([A, B]);
    const good = signer.sign('value');
    const sig = good.slice(good.indexOf('.') + 1);
    const forged = `value.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    timingSafeEqual.mockClear();
    expect(signer.unsign(forged)).toBeUndefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    for (const [a, b] of timingSafeEqual.mock.calls) {
      expect((a as Buffer).length).toBe((b as Buffer).length);
    }
    timingSafeEqual.mockClear();
    expect(signer.unsign(good)).toBe('value');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('CookieSigner, verified values', () => {
  it('answers a repeat of a verified value without another check, and still checks everything else', () => {
    const signer = new CookieSigner([A]);
    const good = signer.sign('value');
    timingSafeEqual.mockClear();
    expect(signer.unsign(good)).toBe('value');
    expect(signer.unsign(good)).toBe('value');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const sig = good.slice(good.indexOf('.') + 1);
    const forged = `value.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(signer.unsign(forged)).toBeUndefined();
    expect(signer.unsign(forged)).toBeUndefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('remembers at most 2048 values, dropping the oldest first', () => {
    const signer = new CookieSigner([A]);
    const values = Array.from({ length: 2049 }, (_, i) => signer.sign(`id-${i}`));
    for (const value of values) signer.unsign(value);
    timingSafeEqual.mockClear();
    expect(signer.unsign(values[2048])).toBe('id-2048');
    expect(signer.unsign(values[1])).toBe('id-1');
    expect(timingSafeEqual).toHaveBeenCalledTimes(0);
    expect(signer.unsign(values[0])).toBe('id-0');
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});
