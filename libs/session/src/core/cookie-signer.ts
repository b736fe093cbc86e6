import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { RecentValues } from './recent-values.js';

/** How many verified values a signer remembers (about 150 bytes each). */
const VERIFIED_MEMO_SIZE = 2048;

/**
 * Signs values as `<value>.<signature>`, where the signature is the
 * HMAC-SHA256 of the value, base64 without padding: the format of the
 * `cookie-signature` package that express-session uses, so cookies stay
 * readable across both. Built on `node:crypto` only.
 *
 * A returning client sends the same signed value on every request, so the
 * values verified lately are remembered (only those whose signature was
 * valid, at most {@link VERIFIED_MEMO_SIZE}, the oldest dropped first): an
 * exact repeat is answered without computing the HMAC again. A value that
 * was never verified, a forged one included, always goes through the
 * constant-time check.
 */
export class CookieSigner {
  private readonly verified = new RecentValues<string>(VERIFIED_MEMO_SIZE);
  /** The secrets as keys, made once (an HMAC keyed by a string converts it on every call). */
  private readonly keys: readonly KeyObject[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new RangeError('CookieSigner needs at least one secret.');
    this.keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  /** Signs with the first secret. */
  sign(value: string): string {
    return `${value}.${mac(value, this.keys[0])}`;
  }

  /**
   * The value when `input` carries a valid signature under any secret, else
   * `undefined`. Signatures are compared with `crypto.timingSafeEqual`, so
   * the time taken says nothing about how much of a forged signature matched.
   */
  unsign(input: string): string | undefined {
    const known = this.verified.get(input);
    if (known !== undefined) return known;
    const dot = input.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const value = input.slice(0, dot);
    const given = Buffer.from(input.slice(dot + 1));
    for (const key of this.keys) {
      const expected = Buffer.from(mac(value, key));
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        this.verified.set(input, value);
        return value;
      }
    }
    return undefined;
  }
}

/** The HMAC-SHA256 of `value`: 43 base64 characters, without the padding `=`. */
function mac(value: string, key: KeyObject): string {
  return createHmac('sha256', key).update(value).digest('base64').slice(0, 43);
}
