import type {
  SessionDataRecord,
  SessionPatch,
  SessionRecord,
  StoredCookieSettings,
  StoredSessionRecord,
} from '../session-record.interface.js';
import type { SessionSerializer } from './session-serializer.js';

/** Hash field holding the creation time. */
const CREATED_FIELD = '~created';
/** Hash field holding per-session cookie settings. */
const COOKIE_FIELD = '~cookie';
/** Prefix of the hash fields that hold data keys. */
const DATA_PREFIX = 'd:';

/**
 * How a session lives in a Redis hash: one field per data key (so a patch changes only its keys),
 * the creation time and the cookie settings beside them.
 */
export class RedisSessionCodec {
  constructor(private readonly serializer: SessionSerializer) {}

  /** Field/value pairs of a whole record, for `HSET`. */
  recordFields(record: SessionRecord): string[] {
    const fields: string[] = [CREATED_FIELD, String(record.createdAt)];
    if (record.cookie) fields.push(COOKIE_FIELD, JSON.stringify(record.cookie));
    for (const name of Object.keys(record.data)) {
      fields.push(DATA_PREFIX + name, this.serializer.stringify(record.data[name]));
    }
    return fields;
  }

  /** The pairs to set and the fields to delete for a patch. */
  patchFields(patch: SessionPatch): { pairs: string[]; deleted: string[] } {
    const pairs: string[] = [];
    for (const name of Object.keys(patch.set)) {
      pairs.push(DATA_PREFIX + name, this.serializer.stringify(patch.set[name]));
    }
    if (patch.cookie) pairs.push(COOKIE_FIELD, JSON.stringify(patch.cookie));
    return { pairs, deleted: patch.unset.map((name) => DATA_PREFIX + name) };
  }

  /**
   * The record of a hash read with its remaining lifetime (`PTTL`), or `undefined` when the hash
   * is gone or is not a whole session.
   */
  decode(hash: Record<string, string> | null, ttlMs: number): StoredSessionRecord | undefined {
    if (!hash || hash[CREATED_FIELD] === undefined || ttlMs === -2) return undefined;
    const data = Object.create(null) as SessionDataRecord;
    for (const field of Object.keys(hash)) {
      if (field.startsWith(DATA_PREFIX)) {
        data[field.slice(DATA_PREFIX.length)] = this.serializer.parse(hash[field]);
      }
    }
    const record: StoredSessionRecord = {
      data,
      createdAt: Number(hash[CREATED_FIELD]),
      expiresAt: ttlMs >= 0 ? Date.now() + ttlMs : Number.MAX_SAFE_INTEGER,
    };
    const cookie = hash[COOKIE_FIELD];
    if (cookie !== undefined) record.cookie = JSON.parse(cookie) as StoredCookieSettings;
    return record;
  }
}
