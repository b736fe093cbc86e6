import { writev, writevSync } from 'node:fs';
import { promisify } from 'node:util';
import { MAX_WRITE_BYTES } from './journal-replay.js';

const writevAsync = promisify(writev);

/** Groups frames into writes of at most `MAX_WRITE_BYTES` (a larger frame goes alone). */
function* writesOf(frames: readonly Buffer[]): Generator<Buffer[]> {
  let batch: Buffer[] = [];
  let bytes = 0;
  for (const frame of frames) {
    if (batch.length > 0 && bytes + frame.length > MAX_WRITE_BYTES) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(frame);
    bytes += frame.length;
  }
  if (batch.length > 0) yield batch;
}

/** What is left of `pending` after a write of `written` bytes (a short write goes on from there). */
function unwritten(pending: readonly Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of pending) {
    if (written >= buffer.length) written -= buffer.length;
    else {
      rest.push(buffer.subarray(written));
      written = 0;
    }
  }
  return rest;
}

/**
 * Appends `frames` to `fd`, whole, in writes of at most `MAX_WRITE_BYTES`, on libuv's threads;
 * resolves the bytes written.
 */
export async function appendFrames(fd: number, frames: readonly Buffer[]): Promise<number> {
  let total = 0;
  for (const batch of writesOf(frames)) {
    for (let pending = batch; pending.length > 0;) {
      const { bytesWritten } = await writevAsync(fd, pending);
      total += bytesWritten;
      pending = unwritten(pending, bytesWritten);
    }
  }
  return total;
}

/**
 * {@link appendFrames} on the calling thread: a write into the page cache takes microseconds,
 * where handing it to libuv's threads costs tens of them per write (the bench's profile of the
 * primary: 31 µs per request). Returns the bytes written.
 */
export function appendFramesSync(fd: number, frames: readonly Buffer[]): number {
  let total = 0;
  for (const batch of writesOf(frames)) {
    for (let pending = batch; pending.length > 0;) {
      const written = writevSync(fd, pending);
      total += written;
      pending = unwritten(pending, written);
    }
  }
  return total;
}
