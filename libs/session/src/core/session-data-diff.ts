import { SessionDataNotSerializableError } from '../session.errors.js';
import type { SessionDataRecord, SessionPatch } from '../session-record.interface.js';

/** Each top-level key's JSON text, the unit of change detection and of patches. */
export type SerializedEntries = Map<string, string>;

/**
 * Serializes each top-level key of `data` to JSON. Keys whose value
 * serializes to nothing (`undefined`, functions) are treated as absent.
 *
 * @throws SessionDataNotSerializableError for values JSON cannot hold.
 */
export function serializeEntries(data: SessionDataRecord): SerializedEntries {
  const entries: SerializedEntries = new Map();
  for (const key of Object.keys(data)) {
    let json: string | undefined;
    try {
      json = JSON.stringify(data[key]);
    } catch (cause) {
      throw new SessionDataNotSerializableError(key, cause);
    }
    if (json !== undefined) entries.set(key, json);
  }
  return entries;
}

/** Bytes of JSON a set of entries takes, keys included. */
export function serializedSize(entries: SerializedEntries): number {
  let bytes = 2;
  for (const [key, json] of entries) bytes += Buffer.byteLength(key) + Buffer.byteLength(json) + 4;
  return bytes;
}

/** Whether two serialized states differ. */
export function entriesDiffer(before: SerializedEntries, after: SerializedEntries): boolean {
  if (before.size !== after.size) return true;
  for (const [key, json] of after) if (before.get(key) !== json) return true;
  return false;
}

/**
 * The per-key patch that turns `before` into `after`. Values are fresh
 * copies parsed from `after`, so the store never shares objects with the
 * handler.
 */
export function diffEntries(
  before: SerializedEntries,
  after: SerializedEntries,
): Omit<SessionPatch, 'cookie'> {
  const set = emptyRecord();
  const unset: string[] = [];
  for (const [key, json] of after) if (before.get(key) !== json) set[key] = JSON.parse(json);
  for (const key of before.keys()) if (!after.has(key)) unset.push(key);
  return { set, unset };
}

/** A fresh data record parsed from serialized entries. */
export function materialize(entries: SerializedEntries): SessionDataRecord {
  const data = emptyRecord();
  for (const [key, json] of entries) data[key] = JSON.parse(json);
  return data;
}

/**
 * A record without a prototype, so that a key such as `__proto__` is plain
 * data and can never change an object's prototype.
 */
export function emptyRecord(): SessionDataRecord {
  return Object.create(null) as SessionDataRecord;
}
