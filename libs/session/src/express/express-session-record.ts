import { emptyRecord } from '../core/session-data-diff.js';
import type { ResolvedCookieSettings } from '../session-config.js';
import type { SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import { ExpressSessionStoreContractError } from './express-session-store.errors.js';

/**
 * Key of the record under which the adapter keeps what express-session has no
 * field for (the creation time the absolute timeout counts from). Stored as a
 * data key, so express-session keeps it when it rewrites the session; never
 * shown to handlers here.
 */
export const NEST_HIVE_RECORD_KEY = '@nest-hive/session';

/**
 * A session's `cookie` as express-session stores it (`Cookie#toJSON()`), and
 * as stores such as connect-redis and connect-pg-simple read their TTL from
 * (`cookie.expires`).
 */
export interface ExpressSessionCookie {
  originalMaxAge: number | null;
  expires: Date | null;
  path: string;
  httpOnly: boolean;
  secure?: boolean;
  domain?: string;
  sameSite?: 'lax' | 'strict' | 'none';
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
}

/** An express-session-shaped session: `{ cookie, ...data }`. */
export interface ExpressSessionShape {
  cookie: ExpressSessionCookie;
  [key: string]: unknown;
}

/**
 * A stored record's expiry is never reported as closer than this. The store
 * still holds the record (stores drop expired ones), so its own TTL is in
 * force even when `cookie.expires` is missing (express-session's
 * browser-session cookies) or stale (stores whose `touch` extends the TTL
 * without rewriting the record); a near expiry makes the session layer renew
 * the entry on this request.
 */
const UNKNOWN_EXPIRY_MS = 1_000;

/**
 * The express-session-shaped record for `record`, expiring `ttlMs` from now
 * (as `cookie.expires`, where such stores take their TTL from). The cookie
 * attributes are the module's, so express-session re-sends the cookie as this
 * application would.
 */
export function toExpressSession(
  record: SessionRecord,
  ttlMs: number,
  settings: ResolvedCookieSettings | undefined,
): ExpressSessionShape {
  if (Object.prototype.hasOwnProperty.call(record.data, NEST_HIVE_RECORD_KEY)) {
    throw new TypeError(
      `"${NEST_HIVE_RECORD_KEY}" is reserved by fromExpressSessionStore() for its own bookkeeping; rename that session key.`,
    );
  }
  const maxAge = record.cookie?.maxAge !== undefined ? record.cookie.maxAge : (settings?.maxAge ?? null);
  const cookie: ExpressSessionCookie = {
    originalMaxAge: maxAge,
    expires: new Date(Date.now() + ttlMs),
    path: settings?.path ?? '/',
    httpOnly: settings?.httpOnly ?? true,
  };
  if (settings) {
    // 'auto' is written as secure: express-session then never re-sends it over plain HTTP.
    cookie.secure = settings.secure !== false;
    if (settings.domain !== undefined) cookie.domain = settings.domain;
    if (settings.sameSite !== undefined) cookie.sameSite = settings.sameSite;
    if (settings.partitioned) cookie.partitioned = true;
    if (settings.priority !== undefined) cookie.priority = settings.priority;
  }
  return { cookie, ...record.data, [NEST_HIVE_RECORD_KEY]: { createdAt: record.createdAt } };
}

/**
 * Reads what an express-session store's `get` answered: `undefined` for no
 * session, else the record, whoever wrote it (express-session or this
 * adapter). Validated, never cast: anything that is not a session object is
 * a {@link ExpressSessionStoreContractError}.
 */
export function fromExpressSession(
  answer: unknown,
  settings: ResolvedCookieSettings | undefined,
): StoredSessionRecord | undefined {
  if (answer === undefined || answer === null) return undefined;
  if (!isPlainRecord(answer)) {
    throw new ExpressSessionStoreContractError(
      'get',
      `answered ${describe(answer)} instead of a session object`,
    );
  }
  const cookie = answer.cookie;
  if (cookie !== undefined && cookie !== null && !isPlainRecord(cookie)) {
    throw new ExpressSessionStoreContractError(
      'get',
      `answered a session whose cookie is ${describe(cookie)}`,
    );
  }
  const data = emptyRecord();
  for (const key of Object.keys(answer)) {
    if (key !== 'cookie' && key !== NEST_HIVE_RECORD_KEY) data[key] = answer[key];
  }
  const now = Date.now();
  const expires = cookie ? expiryOf(cookie.expires) : undefined;
  const record: StoredSessionRecord = {
    data,
    createdAt: createdAtOf(answer[NEST_HIVE_RECORD_KEY]) ?? now,
    expiresAt: Math.max(expires ?? 0, now + UNKNOWN_EXPIRY_MS),
  };
  const maxAge = cookie ? maxAgeOf(cookie.originalMaxAge) : undefined;
  // A lifetime other than the configured one is this session's own (set by a handler).
  if (maxAge !== undefined && maxAge !== (settings?.maxAge ?? null)) record.cookie = { maxAge };
  return record;
}

/**
 * Whether a `get` answer says itself that it has expired (`cookie.expires`
 * at or before `now`): a store that hands such a session out (one that
 * prunes late) must not have it extended.
 */
export function answerHasExpired(answer: unknown, now: number): boolean {
  if (!isPlainRecord(answer) || !isPlainRecord(answer.cookie)) return false;
  const expires = expiryOf(answer.cookie.expires);
  return expires !== undefined && expires <= now;
}

function expiryOf(value: unknown): number | undefined {
  const time =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value).getTime()
        : Number.NaN;
  return Number.isFinite(time) ? time : undefined;
}

function maxAgeOf(value: unknown): number | null | undefined {
  if (value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}

function createdAtOf(value: unknown): number | undefined {
  if (!isPlainRecord(value)) return undefined;
  const createdAt = value.createdAt;
  return typeof createdAt === 'number' && Number.isFinite(createdAt) && createdAt > 0 ? createdAt : undefined;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}
