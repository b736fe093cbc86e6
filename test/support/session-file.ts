import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * A reader of the session file of `FileSessionStore`, written from its documented format (a header
 * line `nest-hive sessions <N>\n`, then frames: 32-bit little-endian payload length, CRC-32, UTF-8
 * payload), independent of the library's own reader, so that tests can damage a real file at a
 * chosen place and predict what a replay must find.
 */

/** One frame of a session file. */
export interface SessionFileFrame {
  /** Byte offset of the frame (its length field). */
  readonly offset: number;
  /** Byte offset of its payload. */
  readonly payloadOffset: number;
  /** Payload bytes. */
  readonly length: number;
  /** The payload as text: a kind letter (`S` set, `D` delete, `A` index add, …), then fields. */
  readonly payload: string;
}

/** Bytes before each payload: its length and its CRC-32. */
const FRAME_OVERHEAD = 8;

/** The frames of a well-formed session file's content: throws at the first frame cut short or whose CRC-32 fails. */
export function framesOf(content: Buffer): SessionFileFrame[] {
  const headerEnd = content.indexOf(0x0a);
  if (headerEnd < 0 || !content.subarray(0, headerEnd).toString('latin1').startsWith('nest-hive sessions ')) {
    throw new Error('not a session file');
  }
  const frames: SessionFileFrame[] = [];
  let offset = headerEnd + 1;
  while (offset < content.length) {
    const length = content.readUInt32LE(offset);
    const payloadOffset = offset + FRAME_OVERHEAD;
    if (payloadOffset + length > content.length) throw new Error(`a frame at byte ${offset} is cut short`);
    const body = content.subarray(payloadOffset, payloadOffset + length);
    if (crc32(body) !== content.readUInt32LE(offset + 4))
      throw new Error(`a frame at byte ${offset} is damaged`);
    const payload = body.toString('utf8');
    frames.push({ offset, payloadOffset, length, payload });
    offset = payloadOffset + length;
  }
  return frames;
}

/** The session id and stored data of a set frame (`S[id, createdAt, expiresAt]\n{data}`), else `undefined`. */
export function setFrameOf(
  frame: SessionFileFrame,
): { id: string; data: Record<string, unknown> } | undefined {
  if (!frame.payload.startsWith('S')) return undefined;
  const newline = frame.payload.indexOf('\n');
  const head = JSON.parse(frame.payload.slice(1, newline)) as unknown[];
  const data = JSON.parse(frame.payload.slice(newline + 1)) as Record<string, unknown>;
  return { id: String(head[0]), data };
}

/** The session id inside a signed `sid=<id>.<signature>` cookie pair. */
export function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  return value.slice(0, value.lastIndexOf('.'));
}

/** SHA-256 of a file's bytes (hex), to show a file was left unchanged. */
export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
