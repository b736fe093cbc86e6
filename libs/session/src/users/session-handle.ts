import { createHash } from 'node:crypto';

/** Keeps handles apart from any other hash of a session id. */
const HANDLE_DOMAIN = 'nest-hive/session-handle\0';

/**
 * The opaque handle of session `id`: 132 bits of its SHA-256 (with a domain
 * prefix), base64url. It names the session to users and tools without giving
 * the id away: it cannot be turned back into the id, and a cookie made of it
 * names no session (cookies carry the id, signed).
 */
export function sessionHandle(id: string): string {
  return createHash('sha256').update(HANDLE_DOMAIN).update(id).digest('base64url').slice(0, 22);
}

/** What a handle looks like: 22 base64url characters. */
export const SESSION_HANDLE_PATTERN = /^[A-Za-z0-9_-]{22}$/;
