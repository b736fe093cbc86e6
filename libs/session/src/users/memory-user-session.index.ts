import type { UserSessionEntry, UserSessionIndex } from './user-session-index.interface.js';

/** Where a session's entry sits: its user and its handle. */
interface EntryPlace {
  readonly user: string;
  readonly handle: string;
}

/**
 * The per-user index of a {@link MemorySessionStore}, in the same process. Its
 * store tells it of every session that goes (destroyed, expired, evicted,
 * cleared) through {@link forgetSession} and {@link clear}, so no entry
 * outlives its session; entries past their `expiresAt` are dropped by
 * {@link sweep} and never listed.
 */
export class MemoryUserSessionIndex implements UserSessionIndex {
  private readonly users = new Map<string, Map<string, UserSessionEntry>>();
  private readonly places = new Map<string, EntryPlace>();

  /** Entries held, expired or not. */
  get size(): number {
    return this.places.size;
  }

  /** @inheritdoc */
  async add(user: string, entry: UserSessionEntry): Promise<void> {
    this.addNow(user, entry);
  }

  /** {@link add}, at once. */
  addNow(user: string, entry: UserSessionEntry): void {
    this.forgetSession(entry.sessionId);
    let entries = this.users.get(user);
    if (!entries) this.users.set(user, (entries = new Map<string, UserSessionEntry>()));
    entries.set(entry.handle, { ...entry });
    this.places.set(entry.sessionId, { user, handle: entry.handle });
  }

  /** @inheritdoc */
  async list(user: string): Promise<UserSessionEntry[]> {
    return this.listNow(user);
  }

  /** {@link list}, at once. */
  listNow(user: string): UserSessionEntry[] {
    const entries = this.users.get(user);
    if (!entries) return [];
    const now = Date.now();
    const live: UserSessionEntry[] = [];
    for (const entry of [...entries.values()]) {
      if (entry.expiresAt <= now) this.drop(user, entry);
      else live.push({ ...entry });
    }
    return live;
  }

  /** @inheritdoc */
  async remove(user: string, handles: readonly string[]): Promise<void> {
    this.removeNow(user, handles);
  }

  /** {@link remove}, at once. */
  removeNow(user: string, handles: readonly string[]): void {
    const entries = this.users.get(user);
    if (!entries) return;
    for (const handle of handles) {
      const entry = entries.get(handle);
      if (entry) this.drop(user, entry);
    }
  }

  /** @inheritdoc */
  async seen(user: string, handle: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    this.seenNow(user, handle, lastSeenAt, expiresAt);
  }

  /** {@link seen}, at once. */
  seenNow(user: string, handle: string, lastSeenAt: number, expiresAt: number): void {
    const entry = this.users.get(user)?.get(handle);
    if (!entry) return;
    entry.lastSeenAt = lastSeenAt;
    entry.expiresAt = expiresAt;
  }

  /** Removes the entry of session `id`, if any: its session is gone. */
  forgetSession(id: string): void {
    const place = this.places.get(id);
    if (!place) return;
    const entry = this.users.get(place.user)?.get(place.handle);
    if (entry) this.drop(place.user, entry);
    else this.places.delete(id);
  }

  /** The users that have entries. */
  userIds(): string[] {
    return [...this.users.keys()];
  }

  /** Makes `entries` the user's only entries. */
  replaceUser(user: string, entries: readonly UserSessionEntry[]): void {
    const held = this.users.get(user);
    if (held) for (const entry of [...held.values()]) this.drop(user, entry);
    for (const entry of entries) this.addNow(user, entry);
  }

  /** Drops every entry past its `expiresAt`. */
  sweep(now = Date.now()): void {
    for (const [user, entries] of this.users) {
      for (const entry of [...entries.values()]) if (entry.expiresAt <= now) this.drop(user, entry);
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.users.clear();
    this.places.clear();
  }

  private drop(user: string, entry: UserSessionEntry): void {
    const entries = this.users.get(user);
    if (!entries) return;
    entries.delete(entry.handle);
    if (entries.size === 0) this.users.delete(user);
    const place = this.places.get(entry.sessionId);
    if (place?.user === user && place.handle === entry.handle) this.places.delete(entry.sessionId);
  }
}
