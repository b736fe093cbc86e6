/** No slot: the end of the recency list or of the free list, or an absent entry. */
export const NO_SLOT = -1;

/** Why an entry left: removed by its owner, past its expiry, or evicted to make room. */
export type SlotRemoval = 'removed' | 'expired' | 'evicted';

/**
 * The memory store's entries, kept in slots: a slot is a small integer that
 * indexes a few arrays. The map holds the slot itself (a small integer needs
 * no allocation), the timestamps are unboxed doubles, and the recency links
 * are slot numbers, so an idle session costs its map entry, its JSON text and
 * seven array elements: no object and no boxed number of its own. Fields read
 * together sit side by side (slot `s` at `2s` and `2s + 1`), so one request
 * touches few cache lines. Freed slots are reused first (their `newer` link
 * chains the free list), and the arrays grow only when every slot is in use,
 * so never past `maxEntries` slots.
 *
 * It knows nothing of sessions beyond this layout: the store encodes records
 * into it (see `MemorySessionStore`).
 */
export class MemorySlots {
  /** Session id → slot. */
  private readonly slots = new Map<string, number>();
  /** Per slot: the session id (the map's own key string), `''` when free. */
  private ids: string[] = [];
  /**
   * At `2s`: the data as one JSON text, which keeps it compact and copy-safe.
   * At `2s + 1`: the `maxAge` cookie setting, `undefined` when none was set.
   */
  private values: (string | number | null | undefined)[] = [];
  /** At `2s`: epoch ms when the session was first saved. At `2s + 1`: epoch ms when the entry expires. */
  private times: number[] = [];
  /**
   * At `2s`: the next less recently used slot (`NO_SLOT` for the oldest). At
   * `2s + 1`: the next more recently used slot (`NO_SLOT` for the newest); for a
   * free slot, the next free slot.
   */
  private links: number[] = [];
  /** Head of the free-slot list. */
  private freeSlot = NO_SLOT;
  /** Least recently used end of the recency list. */
  private oldest = NO_SLOT;
  /** Most recently used end. */
  private newest = NO_SLOT;
  private evictions = 0;

  /**
   * @param maxEntries - entries kept at most; {@link claim} evicts the least recently used beyond it.
   * @param onRemove - told of every entry that goes (removed, expired, evicted) and why, except by {@link clear}.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly onRemove?: (id: string, reason: SlotRemoval) => void,
  ) {}

  /** Entries held, expired or not. */
  get size(): number {
    return this.slots.size;
  }

  /** Slots the arrays hold, in use or free. */
  get capacity(): number {
    return this.ids.length;
  }

  /** Entries evicted so far because `maxEntries` was reached. */
  get evictedCount(): number {
    return this.evictions;
  }

  /** The slot of an entry, expired or not, or `NO_SLOT`. */
  held(id: string): number {
    return this.slots.get(id) ?? NO_SLOT;
  }

  /** The slot of an unexpired entry, or `NO_SLOT` (an expired entry is removed). */
  live(id: string): number {
    const slot = this.slots.get(id);
    if (slot === undefined) return NO_SLOT;
    if (this.times[2 * slot + 1] <= Date.now()) {
      this.drop(id, 'expired');
      return NO_SLOT;
    }
    return slot;
  }

  /**
   * The slot for `id`, made the most recently used: its own if it has one
   * (expired or not), else a new one (evicting the least recently used when
   * full). The caller fills every field of a new slot.
   */
  claim(id: string): number {
    const held = this.slots.get(id);
    if (held !== undefined) {
      // Replaced in place: the map keeps its entry (see markUsed).
      this.markUsed(held);
      return held;
    }
    // Make room first, so that a full store reuses the evicted slot.
    while (this.slots.size >= this.maxEntries && this.oldest !== NO_SLOT) {
      this.drop(this.ids[this.oldest], 'evicted');
      this.evictions++;
    }
    const slot = this.allocate(id);
    this.slots.set(id, slot);
    this.append(slot);
    return slot;
  }

  /** The JSON text of a slot's data. */
  json(slot: number): string {
    return this.values[2 * slot] as string;
  }

  /** The `maxAge` cookie setting of a slot, `undefined` when none was set. */
  maxAge(slot: number): number | null | undefined {
    return this.values[2 * slot + 1] as number | null | undefined;
  }

  /** Epoch ms when a slot's session was first saved. */
  createdAt(slot: number): number {
    return this.times[2 * slot];
  }

  /** Epoch ms when a slot's entry expires. */
  expiresAt(slot: number): number {
    return this.times[2 * slot + 1];
  }

  /** Sets a slot's data (JSON text). */
  setJson(slot: number, json: string): void {
    this.values[2 * slot] = json;
  }

  /** Sets a slot's `maxAge` cookie setting. */
  setMaxAge(slot: number, maxAge: number | null | undefined): void {
    this.values[2 * slot + 1] = maxAge;
  }

  /** Sets when a slot's session was first saved. */
  setCreatedAt(slot: number, createdAt: number): void {
    this.times[2 * slot] = createdAt;
  }

  /** Sets when a slot's entry expires. */
  setExpiresAt(slot: number, expiresAt: number): void {
    this.times[2 * slot + 1] = expiresAt;
  }

  /**
   * Moves a slot to the most recently used end of the recency list. The map
   * itself is left alone: deleting and re-adding the same key of a large
   * `Map` on every request (a hot session) makes V8 walk an ever longer chain
   * of deleted copies of that key.
   */
  markUsed(slot: number): void {
    if (this.newest === slot) return;
    this.unlink(slot);
    this.append(slot);
  }

  /** Deletes an entry from the map and the recency list, and frees its slot. */
  remove(id: string): void {
    this.drop(id, 'removed');
  }

  /** The session ids held, expired or not, from the least recently used to the most. */
  idsByRecency(): string[] {
    const ids: string[] = [];
    for (let slot = this.oldest; slot !== NO_SLOT; slot = this.links[2 * slot + 1]) ids.push(this.ids[slot]);
    return ids;
  }

  private drop(id: string, reason: SlotRemoval): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.unlink(slot);
    // Drop the strings and the cookie setting the slot held.
    this.ids[slot] = '';
    this.values[2 * slot] = '';
    this.values[2 * slot + 1] = undefined;
    this.links[2 * slot + 1] = this.freeSlot;
    this.freeSlot = slot;
    this.onRemove?.(id, reason);
  }

  /** Deletes every entry and gives the arrays back. */
  clear(): void {
    this.slots.clear();
    this.oldest = this.newest = NO_SLOT;
    this.rebuild();
  }

  /**
   * Removes every expired entry now. When three quarters or more of the slots
   * are then free, the live entries are packed into smaller arrays, so the
   * memory a burst of sessions took is given back once they expire.
   */
  sweep(): void {
    const now = Date.now();
    for (const [id, slot] of this.slots) if (this.times[2 * slot + 1] <= now) this.drop(id, 'expired');
    this.packIfSparse();
  }

  /** Where a stepped sweep stands: the map's own iterator, which survives deletes and inserts. */
  sweepCursor(): Iterator<[string, number]> {
    return this.slots.entries();
  }

  /**
   * One step of a sweep: removes the entries expired at `now` among the next `limit` of `cursor`
   * (from {@link sweepCursor}), and once the cursor is done, packs the arrays as {@link sweep}
   * does. Returns whether the sweep is done. Each step is bounded, so a sweep of many entries
   * leaves the event loop free between its steps.
   */
  sweepStep(cursor: Iterator<[string, number]>, limit: number, now: number): boolean {
    for (let seen = 0; seen < limit; seen++) {
      const next = cursor.next();
      if (next.done) {
        this.packIfSparse();
        return true;
      }
      const [id, slot] = next.value;
      if (this.times[2 * slot + 1] <= now) this.drop(id, 'expired');
    }
    return false;
  }

  /** Packs the arrays when three quarters or more of the slots are free. */
  private packIfSparse(): void {
    if (this.slots.size * 4 <= this.ids.length && this.ids.length > 64) this.rebuild();
  }

  private append(slot: number): void {
    this.links[2 * slot] = this.newest;
    this.links[2 * slot + 1] = NO_SLOT;
    if (this.newest !== NO_SLOT) this.links[2 * this.newest + 1] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const older = this.links[2 * slot];
    const newer = this.links[2 * slot + 1];
    if (older !== NO_SLOT) this.links[2 * older + 1] = newer;
    else this.oldest = newer;
    if (newer !== NO_SLOT) this.links[2 * newer] = older;
    else this.newest = older;
  }

  /**
   * A slot for `id`: a freed one if any, else a new one at the end of the
   * arrays (which grow as `push` makes them). The caller links it and fills
   * its other fields.
   */
  private allocate(id: string): number {
    const slot = this.freeSlot;
    if (slot !== NO_SLOT) {
      this.freeSlot = this.links[2 * slot + 1];
      this.ids[slot] = id;
      return slot;
    }
    const end = this.ids.length;
    this.ids.push(id);
    this.values.push('', undefined);
    this.times.push(0, 0);
    this.links.push(NO_SLOT, NO_SLOT);
    return end;
  }

  /**
   * Packs the live entries into fresh arrays, one slot each from the least
   * recently used to the most, with no free slot left over. The map keeps its
   * entries; only their values (the slots) change.
   */
  private rebuild(): void {
    const ids: string[] = [];
    const values: (string | number | null | undefined)[] = [];
    const times: number[] = [];
    const links: number[] = [];
    for (let from = this.oldest, to = 0; from !== NO_SLOT; from = this.links[2 * from + 1], to++) {
      const id = this.ids[from];
      ids.push(id);
      values.push(this.values[2 * from], this.values[2 * from + 1]);
      times.push(this.times[2 * from], this.times[2 * from + 1]);
      links.push(to - 1, to + 1);
      this.slots.set(id, to);
    }
    const count = ids.length;
    if (count > 0) links[2 * count - 1] = NO_SLOT;
    this.ids = ids;
    this.values = values;
    this.times = times;
    this.links = links;
    this.freeSlot = NO_SLOT;
    this.oldest = count > 0 ? 0 : NO_SLOT;
    this.newest = count - 1;
  }
}
