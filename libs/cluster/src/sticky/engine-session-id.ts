import { randomBytes } from 'node:crypto';

/** Separates the owner's worker id from the random part of an engine.io session id. */
const SEPARATOR = '.';
/** Random bytes per id: 120 bits, as many as engine.io's own ids carry. */
const RANDOM_BYTES = 15;
/** Longest worker-id prefix we read (ids are small integers). */
const MAX_PREFIX = 12;

/**
 * An engine.io session id that names the worker owning the session: `<workerId>.<random>`. Any
 * worker can then tell where a request belongs without a shared table. The prefix is no secret
 * (the id is not one either: engine.io ids only correlate requests).
 */
export function stickySessionId(workerId: number): string {
  return `${workerId}${SEPARATOR}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** The worker id an engine.io session id names, or `undefined` for an id not made by {@link stickySessionId}. */
export function sessionOwner(sid: string): number | undefined {
  const end = sid.indexOf(SEPARATOR);
  if (end <= 0 || end > MAX_PREFIX) return undefined;
  let id = 0;
  for (let i = 0; i < end; i++) {
    const digit = sid.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    id = id * 10 + digit;
  }
  return id;
}
