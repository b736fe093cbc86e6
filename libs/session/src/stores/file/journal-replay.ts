import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  FRAME_OVERHEAD,
  JOURNAL_FORMAT_VERSION,
  JOURNAL_HEADER,
  type JournalRecord,
  decodePayload,
  readFrame,
  readHeader,
} from './journal-format.js';
import { SessionFileError } from './session-file.errors.js';
import { unwritable } from './session-file.lock.js';

/**
 * The most bytes one write of the journal appends. A crash can cut only the last write short, so
 * a bad frame this close to the end is a write that was never acknowledged; further back it is
 * damage.
 */
export const MAX_WRITE_BYTES = 1024 * 1024;

/** The session file, replayed and open for appending. */
export interface OpenedJournal {
  /** Descriptor open for appending. */
  readonly fd: number;
  /** Bytes in the file: where the next frame goes. */
  readonly size: number;
}

/** Where an interrupted compaction leaves its work. */
export function compactionPath(path: string): string {
  return `${path}.compact`;
}

function corrupt(path: string, offset: number, reason: string): SessionFileError {
  return new SessionFileError(
    path,
    'corrupt',
    `it is damaged at byte ${offset} (${reason}). nest-hive will not write over it: restore it from a ` +
      'backup, or move it aside to start with no sessions.',
  );
}

function readContent(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw unwritable(path, 'the file', error);
  }
}

/**
 * Whether any frame that checks out starts after the bad one at `offset`: damage, not a cut (a
 * write cut short is the last thing in the file). Every byte offset is tried, since a damaged
 * length field says nothing of where the next frame starts; most are refused at once (a length
 * of zero or past the end), and only the rest cost a checksum.
 */
function goodFrameFollows(content: Buffer, offset: number): boolean {
  for (let at = offset + 1; at + FRAME_OVERHEAD < content.length; at++) {
    const length = content.readUInt32LE(at);
    if (length === 0 || at + FRAME_OVERHEAD + length > content.length) continue;
    if ('payload' in readFrame(content, at)) return true;
  }
  return false;
}

/**
 * Replays the frames after the header into `apply`, and returns where the good frames end. A
 * write cut short at the end (a crash while appending; never acknowledged) is left for the caller
 * to truncate, with a warning; damage anywhere else, or a record that does not decode, is a
 * `SessionFileError` (`corrupt`).
 */
function replayFrames(
  path: string,
  content: Buffer,
  start: number,
  apply: (record: JournalRecord) => void,
  warn: (message: string) => void,
): number {
  let offset = start;
  while (offset < content.length) {
    const frame = readFrame(content, offset);
    if (!('payload' in frame)) {
      const cutShort = content.length - offset <= MAX_WRITE_BYTES + FRAME_OVERHEAD;
      if (!cutShort || goodFrameFollows(content, offset)) throw corrupt(path, offset, frame.reason);
      warn(
        `Session file ${path}: dropped the last ${content.length - offset} bytes, a write cut short by a ` +
          'crash (never acknowledged).',
      );
      return offset;
    }
    let record: JournalRecord;
    try {
      record = decodePayload(frame.payload);
    } catch (error) {
      throw corrupt(path, offset, `a record does not decode: ${(error as Error).message}`);
    }
    apply(record);
    offset = frame.next;
  }
  return offset;
}

/** Syncs the file or directory at `path` to disk. */
function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates the file anew with only its header, flushed to disk with the directory entry naming it. */
function createFile(path: string): void {
  try {
    writeFileSync(path, JOURNAL_HEADER);
    syncPath(path, 'r+');
    syncPath(dirname(path), 'r');
  } catch (error) {
    throw unwritable(path, 'the file', error);
  }
}

/**
 * Opens the session file at `path` (created when missing), replays
 * every change into `apply`, truncates a last write cut short, and opens it for appending.
 * Refuses, with a `SessionFileError`, a file in a newer format, a foreign file, a damaged one and
 * an unwritable place. The caller holds the file's lock.
 */
export function openJournal(
  path: string,
  apply: (record: JournalRecord) => void,
  warn: (message: string) => void,
): OpenedJournal {
  try {
    unlinkSync(compactionPath(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unwritable(path, 'its directory', error);
  }
  let content = readContent(path);
  let header = readHeader(content);
  if (header.kind === 'unfinished') {
    createFile(path);
    content = JOURNAL_HEADER;
    header = readHeader(content);
  }
  if (header.kind === 'foreign') {
    throw new SessionFileError(
      path,
      'foreign',
      'it is not a nest-hive session file. Give the store another path.',
    );
  }
  if (header.kind !== 'ours') throw new Error('unreachable: the header was just written');
  if (header.version > JOURNAL_FORMAT_VERSION) {
    throw new SessionFileError(
      path,
      'newer-format',
      `it was written by a newer @nest-hive/session (format ${header.version}; this one reads up to ` +
        `${JOURNAL_FORMAT_VERSION}). Upgrade @nest-hive/session, or move the file aside to start with no sessions.`,
    );
  }
  const end = replayFrames(path, content, header.bytes, apply, warn);
  let fd: number;
  try {
    fd = openSync(path, 'a');
    if (end < content.length) {
      ftruncateSync(fd, end);
      fsyncSync(fd);
    }
  } catch (error) {
    throw unwritable(path, 'the file', error);
  }
  return { fd, size: end };
}
