import { writev } from 'node:fs';
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

/** Appends `frames` to `fd`, whole, in writes of at most `MAX_WRITE_BYTES`; resolves the bytes written. */
export async function appendFrames(fd: number, frames: readonly Buffer[]): Promise<number> {
  let total = 0;
  for (const batch of writesOf(frames)) {
    let pending = batch;
    while (pending.length > 0) {
      let { bytesWritten: written } = await writevAsync(fd, pending);
      total += written;
      // A short write: go on from where it stopped.
      const rest: Buffer[] = [];
      for (const buffer of pending) {
        if (written >= buffer.length) written -= buffer.length;
        else {
          rest.push(buffer.subarray(written));
          written = 0;
        }
      }
      pending = rest;
    }
  }
  return total;
}
