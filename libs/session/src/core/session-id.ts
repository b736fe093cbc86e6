import { randomFillSync } from 'node:crypto';
import { SESSION_ID_PATTERN } from '../session.constants.js';
import { InvalidSessionIdError } from '../session.errors.js';

/** Bytes of randomness in a default session id (192 bits). */
const SESSION_ID_BYTES = 24;

/** Ids drawn from one refill of the random pool. */
const IDS_PER_REFILL = 128;

/**
 * Random bytes from `crypto`, filled `IDS_PER_REFILL` ids at a time (one call
 * into the CSPRNG instead of one per id, as `crypto.randomUUID()` does); every
 * byte is handed out once.
 */
const pool = Buffer.alloc(SESSION_ID_BYTES * IDS_PER_REFILL);
let next = pool.length;

/**
 * The default `genid`: 192 random bits from `crypto`, base64url-encoded into
 * a 32-character URL-safe id.
 */
export function generateSessionId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const id = pool.toString('base64url', next, next + SESSION_ID_BYTES);
  next += SESSION_ID_BYTES;
  return id;
}

/**
 * A session id `genid` made, checked.
 *
 * @throws InvalidSessionIdError when it is not a string of the allowed characters and length.
 */
export function checkedSessionId(id: unknown): string {
  if (typeof id !== 'string' || !SESSION_ID_PATTERN.test(id)) throw new InvalidSessionIdError();
  return id;
}
