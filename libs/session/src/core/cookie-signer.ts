import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signs values as `<value>.<signature>`, where the signature is the
 * HMAC-SHA256 of the value, base64 without padding: the format of the
 * `cookie-signature` package that express-session uses, so cookies stay
 * readable across both. Built on `node:crypto` only.
 */
export class CookieSigner {
  constructor(private readonly secrets: readonly string[]) {
    if (secrets.length === 0) throw new RangeError('CookieSigner needs at least one secret.');
  }

  /** Signs with the first secret. */
  sign(value: string): string {
    return `${value}.${mac(value, this.secrets[0])}`;
  }

  /**
   * The value when `input` carries a valid signature under any secret, else
   * `undefined`. Signatures are compared with `crypto.timingSafeEqual`, so
   * the time taken says nothing about how much of a forged signature matched.
   */
  unsign(input: string): string | undefined {
    const dot = input.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const value = input.slice(0, dot);
    const given = Buffer.from(input.slice(dot + 1));
    for (const secret of this.secrets) {
      const expected = Buffer.from(mac(value, secret));
      if (expected.length === given.length && timingSafeEqual(expected, given)) return value;
    }
    return undefined;
  }
}

function mac(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
}
