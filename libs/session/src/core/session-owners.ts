import type { IncomingMessage } from 'node:http';
import { Subject, type Observable } from 'rxjs';
import type { StoredSessionRecord } from '../session-record.interface.js';
import { sessionHandle } from '../users/session-handle.js';
import type { UserSessionEntry, UserSessionIndex } from '../users/user-session-index.interface.js';
import type { ResolvedUsersConfig } from '../users/user-sessions.options.js';
import { RecentValues } from './recent-values.js';
import { serializeEntries, type SerializedEntries } from './session-data-diff.js';
import type { SessionLog } from './session-log.js';

/** Longest `User-Agent` an index entry keeps. */
const MAX_USER_AGENT_LENGTH = 256;

/** Sessions whose last index renewal from this process is remembered (a forgotten one is renewed again). */
const RENEWAL_MEMO_SIZE = 50_000;

/** The store calls the owners need, each already turned into a `SessionStoreUnavailableError` on failure. */
export interface OwnedSessionStore {
  /** Reads a record (an alive one: the caller checks its expiry). */
  get(id: string): StoredSessionRecord | undefined | Promise<StoredSessionRecord | undefined>;
  /** Deletes a record. */
  destroy(id: string): Promise<void>;
  /** Runs one call on the index. */
  index<T>(run: (index: UserSessionIndex) => Promise<T>): Promise<T>;
  /** Whether a record may still be used now. */
  isAlive(record: StoredSessionRecord): boolean;
}

/**
 * Who owns each session, and the per-user index that follows: the session
 * core tells it of logins (a session gains a user), logouts (it loses one),
 * renewals and ends, and `UserSessions` lists and revokes through it. Also
 * the one place that announces ended sessions ({@link ended$}), so sockets
 * opened with them can be closed.
 *
 * Inactive (every call a no-op, {@link ownerOf} always `undefined`) when the
 * store keeps no index.
 */
export class SessionOwners {
  private readonly endings = new Subject<string>();
  /** When this process last renewed each session's entry (epoch ms), by session id. */
  private readonly renewals = new RecentValues<number>(RENEWAL_MEMO_SIZE);

  /**
   * @param users - the resolved `users` option.
   * @param store - the store calls, or `undefined` when the store keeps no index.
   * @param log - where unusable owners are reported.
   * @param renewEveryMs - how often at most this process renews one entry (`touchAfter`); each
   *   entry lives that much longer than its session, so a session written more often never
   *   outlives its entry, whichever process writes it.
   */
  constructor(
    private readonly users: ResolvedUsersConfig,
    private readonly store: OwnedSessionStore | undefined,
    private readonly log: SessionLog,
    private readonly renewEveryMs: number,
  ) {}

  /** Whether the store keeps an index (so sessions are indexed by user). */
  get active(): boolean {
    return this.store !== undefined;
  }

  /** The cap per user, if any. */
  get maxSessionsPerUser(): number | undefined {
    return this.users.maxSessionsPerUser;
  }

  /** Handles of sessions that ended here (destroyed, regenerated, revoked). */
  get ended$(): Observable<string> {
    return this.endings.asObservable();
  }

  /** The owner that serialized data names, when indexing is on; `undefined` otherwise. */
  ownerOf(entries: SerializedEntries): string | undefined {
    if (!this.store || entries.size === 0) return undefined;
    let owner: string | undefined | null;
    let failure: unknown;
    try {
      owner = this.users.ownerOf(entries);
    } catch (error) {
      owner = null;
      failure = error;
    }
    if (owner !== null) return owner;
    this.log.warnUnusableOwner(failure); // once per process
    return undefined;
  }

  /** Adds session `id`, expiring at `expiresAt`, to `owner`'s index: a login. */
  claim(owner: string, id: string, req: IncomingMessage, now: number, expiresAt: number): Promise<void> {
    const agent = req.headers['user-agent'];
    this.renewals.set(id, now);
    const entry: UserSessionEntry = {
      handle: sessionHandle(id),
      sessionId: id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: expiresAt + this.renewEveryMs,
      userAgent: typeof agent === 'string' ? agent.slice(0, MAX_USER_AGENT_LENGTH) : '',
    };
    return this.call((index) => index.add(owner, entry));
  }

  /** Removes session `id` from `owner`'s index: a logout, or its end. */
  release(owner: string, id: string): Promise<void> {
    return this.call((index) => index.remove(owner, [sessionHandle(id)]));
  }

  /**
   * After a write or a touch that made session `id` live until `expiresAt`: renews its entry,
   * without waiting (a failure is only logged by the runtime), unless this process renewed it
   * less than `renewEveryMs` ago (the entry's extra lifetime covers that).
   */
  renewInBackground(owner: string, id: string, now: number, expiresAt: number): void {
    const last = this.renewals.get(id);
    if (last !== undefined && now - last < this.renewEveryMs) return;
    this.renewals.set(id, now);
    const until = expiresAt + this.renewEveryMs;
    this.call((index) => index.seen(owner, sessionHandle(id), now, until)).catch(() => undefined);
  }

  /** Announces that session `id` ended. */
  ended(id: string): void {
    this.endings.next(sessionHandle(id));
  }

  /** After `owner` logged in with session `id`: ends their oldest sessions beyond the cap. */
  async enforceCap(owner: string, id: string): Promise<void> {
    const max = this.users.maxSessionsPerUser;
    if (max === undefined) return;
    const entries = await this.list(owner);
    if (entries.length <= max) return;
    const current = sessionHandle(id);
    const oldestFirst = entries
      .filter((entry) => entry.handle !== current)
      .sort((a, b) => a.createdAt - b.createdAt);
    await this.revoke(owner, oldestFirst.slice(0, entries.length - max));
  }

  /**
   * `owner`'s sessions that are alive and still theirs, checked against the
   * store one by one; entries that fail the check are removed.
   */
  async list(owner: string): Promise<UserSessionEntry[]> {
    const store = this.required();
    const entries = await this.call((index) => index.list(owner));
    const checked = await Promise.all(
      entries.map(async (entry) => {
        const record = await store.get(entry.sessionId);
        return record !== undefined && store.isAlive(record) && this.recordOwner(record) === owner;
      }),
    );
    const stale = entries.filter((_, at) => !checked[at]).map((entry) => entry.handle);
    if (stale.length > 0) await this.call((index) => index.remove(owner, stale));
    return entries.filter((_, at) => checked[at]);
  }

  /** Ends these sessions of `owner` (destroyed in the store, removed from the index, announced). */
  async revoke(owner: string, entries: readonly UserSessionEntry[]): Promise<number> {
    const store = this.required();
    await Promise.all(entries.map((entry) => store.destroy(entry.sessionId)));
    if (entries.length > 0) {
      await this.call((index) =>
        index.remove(
          owner,
          entries.map((entry) => entry.handle),
        ),
      );
    }
    for (const entry of entries) this.endings.next(entry.handle);
    return entries.length;
  }

  private recordOwner(record: StoredSessionRecord): string | undefined {
    return this.ownerOf(serializeEntries(record.data));
  }

  private call<T>(run: (index: UserSessionIndex) => Promise<T>): Promise<T> {
    return this.required().index(run);
  }

  private required(): OwnedSessionStore {
    if (!this.store) throw new Error('SessionOwners used without an index.');
    return this.store;
  }
}
