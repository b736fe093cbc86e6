import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SessionDataRecord, SessionPatch, StoredSessionRecord } from '../session-record.interface.js';
import { MemorySlots, NO_SLOT, type SlotRemoval } from './memory-slots.js';

/** One session as the memory layer holds it: its data as JSON text, and its times. */
export interface MemoryRecordState {
  /** The data, as one JSON text. */
  readonly json: string;
  /** Epoch ms when the session was first saved. */
  readonly createdAt: number;
  /** Epoch ms when it expires. */
  readonly expiresAt: number;
  /** The `maxAge` cookie setting, `undefined` when none was set. */
  readonly maxAge: number | null | undefined;
}

/** Entries a stepped sweep looks at per event-loop turn: about a millisecond of removals at most. */
const SWEEP_STEP = 2_000;

/**
 * Sessions in memory, with absolute expiry times: what `MemorySessionStore` and `FileSessionStore`
 * both hold. It encodes records into {@link MemorySlots} (data as JSON text, timestamps unboxed)
 * and applies per-key patches. Expired entries read as absent; the least recently used entry is
 * evicted past `maxSessions`; `onRemove` hears of every entry that goes, and why.
 */
export class MemoryRecords {
  private readonly slots: MemorySlots;
  private sweeping: Promise<void> | undefined;

  /**
   * @param maxSessions - entries kept at most.
   * @param onRemove - told of each entry that goes (not by {@link clear}).
   */
  constructor(maxSessions: number, onRemove: (id: string, reason: SlotRemoval) => void) {
    if (!Number.isInteger(maxSessions) || maxSessions < 1) {
      throw new RangeError('Session store option `maxSessions` must be a positive integer.');
    }
    this.slots = new MemorySlots(maxSessions, onRemove);
  }

  /** Entries held, expired or not. */
  get size(): number {
    return this.slots.size;
  }

  /** Entries evicted so far because `maxSessions` was reached. */
  get evictedCount(): number {
    return this.slots.evictedCount;
  }

  /** A copy of the unexpired record `id`, made the most recently used; `undefined` when absent. */
  get(id: string): StoredSessionRecord | undefined {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return undefined;
    slots.markUsed(slot);
    const record: StoredSessionRecord = {
      data: JSON.parse(slots.json(slot)) as SessionDataRecord,
      createdAt: slots.createdAt(slot),
      expiresAt: slots.expiresAt(slot),
    };
    const maxAge = slots.maxAge(slot);
    if (maxAge !== undefined) record.cookie = { maxAge };
    return record;
  }

  /** The unexpired entry `id` as held (no copy of its data is parsed), or `undefined`. */
  state(id: string): MemoryRecordState | undefined {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return undefined;
    return {
      json: slots.json(slot),
      createdAt: slots.createdAt(slot),
      expiresAt: slots.expiresAt(slot),
      maxAge: slots.maxAge(slot),
    };
  }

  /** Creates or replaces entry `id`. */
  write(id: string, state: MemoryRecordState): void {
    const slots = this.slots;
    const slot = slots.claim(id);
    slots.setJson(slot, state.json);
    slots.setMaxAge(slot, state.maxAge);
    slots.setCreatedAt(slot, state.createdAt);
    slots.setExpiresAt(slot, state.expiresAt);
  }

  /**
   * Applies `patch` key by key to the unexpired entry `id` and sets its expiry. Returns the entry
   * as it now stands, or `undefined` (changing nothing) when there is no such entry.
   */
  patch(id: string, patch: SessionPatch, expiresAt: number): MemoryRecordState | undefined {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return undefined;
    const data = Object.assign(
      Object.create(null) as SessionDataRecord,
      JSON.parse(slots.json(slot)) as SessionDataRecord,
    );
    for (const key of Object.keys(patch.set)) data[key] = patch.set[key];
    for (const key of patch.unset) delete data[key];
    const json = JSON.stringify(data);
    slots.setJson(slot, json);
    slots.setExpiresAt(slot, expiresAt);
    if (patch.cookie) slots.setMaxAge(slot, patch.cookie.maxAge);
    slots.markUsed(slot);
    return { json, createdAt: slots.createdAt(slot), expiresAt, maxAge: slots.maxAge(slot) };
  }

  /** Sets the expiry of the unexpired entry `id`; `false` when there is none. */
  touch(id: string, expiresAt: number): boolean {
    const slots = this.slots;
    const slot = slots.live(id);
    if (slot === NO_SLOT) return false;
    slots.setExpiresAt(slot, expiresAt);
    slots.markUsed(slot);
    return true;
  }

  /**
   * Sets the expiry of entry `id` if it is held, expired or not: a replay of changes in order,
   * where a later change may extend an entry that has expired by now.
   */
  retime(id: string, expiresAt: number): void {
    const slot = this.slots.held(id);
    if (slot !== NO_SLOT) this.slots.setExpiresAt(slot, expiresAt);
  }

  /** Deletes entry `id` (reported to `onRemove` as `'removed'`). */
  remove(id: string): void {
    this.slots.remove(id);
  }

  /** Deletes every entry (not reported to `onRemove`). */
  clear(): void {
    this.slots.clear();
  }

  /** The ids held, from the least recently used to the most. */
  ids(): string[] {
    return this.slots.idsByRecency();
  }

  /** Removes every expired entry now, and gives memory back after a burst (see `MemorySlots.sweep`). */
  sweep(): void {
    this.slots.sweep();
  }

  /**
   * {@link sweep} in steps of a few thousand entries, one per event-loop turn, so that a sweep of
   * many expired sessions never stalls the process; resolves once every entry was looked at. A
   * call during a sweep joins it.
   */
  sweepInSteps(): Promise<void> {
    this.sweeping ??= (async () => {
      const cursor = this.slots.sweepCursor();
      const now = Date.now();
      while (!this.slots.sweepStep(cursor, SWEEP_STEP, now)) await nextTurn();
    })().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}
