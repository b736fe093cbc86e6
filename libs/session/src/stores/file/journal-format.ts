import { crc32 } from 'node:zlib';
import type { UserSessionEntry } from '../../users/user-session-index.interface.js';
import type { MemoryRecordState } from '../memory-records.js';

/**
 * The session file's format. A file is a header line, `nest-hive sessions <version>\n`, then
 * frames: a 32-bit little-endian payload length, the payload's CRC-32, and the payload (UTF-8).
 * Each payload is one change, replayed in order: last writer wins, and every change is
 * idempotent, so a compacted file (current state, then the changes made while it was written)
 * replays to the same state.
 */
export const JOURNAL_FORMAT_VERSION = 1;

const HEADER_PREFIX = 'nest-hive sessions ';

/** The header of a file in this format. */
export const JOURNAL_HEADER = Buffer.from(`${HEADER_PREFIX}${JOURNAL_FORMAT_VERSION}\n`, 'latin1');

/** Bytes before each payload: its length and its CRC-32. */
export const FRAME_OVERHEAD = 8;

/** One change to the sessions or to the per-user index. */
export type JournalRecord =
  | { readonly kind: 'set'; readonly id: string; readonly state: MemoryRecordState }
  | { readonly kind: 'touch'; readonly id: string; readonly expiresAt: number }
  | { readonly kind: 'delete'; readonly id: string }
  | { readonly kind: 'clear' }
  | { readonly kind: 'index-add'; readonly user: string; readonly entry: UserSessionEntry }
  | { readonly kind: 'index-remove'; readonly user: string; readonly handles: readonly string[] }
  | {
      readonly kind: 'index-seen';
      readonly user: string;
      readonly handle: string;
      readonly lastSeenAt: number;
      readonly expiresAt: number;
    }
  | { readonly kind: 'index-user'; readonly user: string; readonly entries: readonly UserSessionEntry[] };

/** The payload of a record: one letter for its kind, then its fields. */
function payloadOf(record: JournalRecord): string {
  switch (record.kind) {
    case 'set': {
      // The data's JSON text goes last and as is: no second escaping of the largest field.
      const { json, createdAt, expiresAt, maxAge } = record.state;
      const head =
        maxAge === undefined ? [record.id, createdAt, expiresAt] : [record.id, createdAt, expiresAt, maxAge];
      return `S${JSON.stringify(head)}\n${json}`;
    }
    case 'touch':
      return `T${JSON.stringify([record.id, record.expiresAt])}`;
    case 'delete':
      return `D${JSON.stringify([record.id])}`;
    case 'clear':
      return 'C[]';
    case 'index-add':
      return `A${JSON.stringify([record.user, record.entry])}`;
    case 'index-remove':
      return `R${JSON.stringify([record.user, record.handles])}`;
    case 'index-seen':
      return `E${JSON.stringify([record.user, record.handle, record.lastSeenAt, record.expiresAt])}`;
    case 'index-user':
      return `U${JSON.stringify([record.user, record.entries])}`;
  }
}

/** One record as a frame, ready to append. */
export function encodeFrame(record: JournalRecord): Buffer {
  const payload = payloadOf(record);
  const length = Buffer.byteLength(payload);
  const frame = Buffer.allocUnsafe(FRAME_OVERHEAD + length);
  frame.write(payload, FRAME_OVERHEAD, 'utf8');
  frame.writeUInt32LE(length, 0);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_OVERHEAD)), 4);
  return frame;
}

/** A payload whose checksum holds but whose content is not a record: a bug or a foreign writer. */
export class UnreadableRecordError extends Error {}

function fields(payload: string): unknown[] {
  const value: unknown = JSON.parse(payload.slice(1));
  if (!Array.isArray(value)) throw new UnreadableRecordError('a record is not a list of fields');
  return value;
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isEntry(value: unknown): value is UserSessionEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    isText(entry.handle) &&
    isText(entry.sessionId) &&
    isTime(entry.createdAt) &&
    isTime(entry.lastSeenAt) &&
    isTime(entry.expiresAt) &&
    isText(entry.userAgent)
  );
}

function decodeSet(payload: string): JournalRecord {
  const newline = payload.indexOf('\n');
  if (newline < 0) throw new UnreadableRecordError('a session record has no data');
  const head: unknown = JSON.parse(payload.slice(1, newline));
  const json = payload.slice(newline + 1);
  if (!Array.isArray(head) || !isText(head[0]) || !isTime(head[1]) || !isTime(head[2])) {
    throw new UnreadableRecordError('a session record has a malformed head');
  }
  const maxAge: unknown = head[3];
  if (head.length > 3 && maxAge !== null && !isTime(maxAge)) {
    throw new UnreadableRecordError('a session record has a malformed maxAge');
  }
  JSON.parse(json);
  return {
    kind: 'set',
    id: head[0],
    state: { json, createdAt: head[1], expiresAt: head[2], maxAge: maxAge as number | null | undefined },
  };
}

/** The record a payload holds; throws {@link UnreadableRecordError} (or a `SyntaxError`) when it holds none. */
export function decodePayload(payload: string): JournalRecord {
  const kind = payload[0];
  if (kind === 'S') return decodeSet(payload);
  if (kind === 'C') return { kind: 'clear' };
  const list = fields(payload);
  const [a, b, c, d] = list;
  if (kind === 'T' && isText(a) && isTime(b)) return { kind: 'touch', id: a, expiresAt: b };
  if (kind === 'D' && isText(a)) return { kind: 'delete', id: a };
  if (kind === 'A' && isText(a) && isEntry(b)) return { kind: 'index-add', user: a, entry: b };
  if (kind === 'R' && isText(a) && Array.isArray(b) && b.every(isText)) {
    return { kind: 'index-remove', user: a, handles: b };
  }
  if (kind === 'E' && isText(a) && isText(b) && isTime(c) && isTime(d)) {
    return { kind: 'index-seen', user: a, handle: b, lastSeenAt: c, expiresAt: d };
  }
  if (kind === 'U' && isText(a) && Array.isArray(b) && b.every(isEntry)) {
    return { kind: 'index-user', user: a, entries: b };
  }
  throw new UnreadableRecordError(`a record of kind ${JSON.stringify(kind)} is malformed`);
}

/** What {@link readHeader} found at the start of a file. */
export type HeaderReading =
  | { readonly kind: 'ours'; readonly version: number; readonly bytes: number }
  /** Empty, or a header cut short: a file whose creation never finished. */
  | { readonly kind: 'unfinished' }
  | { readonly kind: 'foreign' };

/** Reads the header line of a file's content. */
export function readHeader(content: Buffer): HeaderReading {
  const end = content.indexOf(0x0a);
  if (end < 0) {
    return JOURNAL_HEADER.subarray(0, content.length).equals(content)
      ? { kind: 'unfinished' }
      : { kind: 'foreign' };
  }
  const line = content.subarray(0, end).toString('latin1');
  const version = line.startsWith(HEADER_PREFIX) ? Number(line.slice(HEADER_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) return { kind: 'foreign' };
  return { kind: 'ours', version, bytes: end + 1 };
}

/** A frame that does not check out, at byte `offset`. */
export interface BadFrame {
  readonly offset: number;
  readonly reason: string;
}

/** The frame at `offset`: its payload and where the next starts, or why it is bad. */
export function readFrame(
  content: Buffer,
  offset: number,
): { readonly payload: string; readonly next: number } | BadFrame {
  if (content.length - offset < FRAME_OVERHEAD) return { offset, reason: 'a frame is cut short' };
  const length = content.readUInt32LE(offset);
  // No record is empty: a zero length is a tail the file system extended but never filled.
  if (length === 0) return { offset, reason: 'a frame is empty' };
  const next = offset + FRAME_OVERHEAD + length;
  if (next > content.length) return { offset, reason: 'a frame runs past the end of the file' };
  const body = content.subarray(offset + FRAME_OVERHEAD, next);
  if (crc32(body) !== content.readUInt32LE(offset + 4))
    return { offset, reason: 'a checksum does not match' };
  return { payload: body.toString('utf8'), next };
}
