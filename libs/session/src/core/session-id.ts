import { randomBytes } from 'node:crypto';

/** Bytes of randomness in a default session id (192 bits). */
const SESSION_ID_BYTES = 24;

/**
 * The default `genid`: 192 random bits from `crypto`, base64url-encoded into
 * a 32-character URL-safe id.
 */
export function generateSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}
