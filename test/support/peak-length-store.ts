import type { MemorySessionStore, SessionRecord } from '@nest-hive/session';
import { CountingStore } from './counting-store.js';

/**
 * A counting store over a real `MemorySessionStore` bounded by `maxSessions`,
 * which also records the largest number of sessions it ever held (checked
 * after every write), so a test sees the bound hold throughout a flood.
 */
export class PeakLengthStore extends CountingStore {
  /** Most sessions held at once so far. */
  peakLength = 0;

  constructor(readonly memory: MemorySessionStore) {
    super(memory);
  }

  override async set(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    await super.set(id, record, ttlMs);
    this.peakLength = Math.max(this.peakLength, await this.memory.length());
  }
}
