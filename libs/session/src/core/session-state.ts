import type { SessionDataRecord, SessionRecord, StoredSessionRecord } from '../session-record.interface.js';
import { emptyRecord, serializeEntries, type SerializedEntries } from './session-data-diff.js';
import { isReservedKey } from './session-proxy.js';

/**
 * Where one request's session stands with its commit:
 * - `idle`: nothing may have changed; the response is left alone;
 * - `watching`: the session may change; the response is held for the commit (see `ResponseCommitGate`);
 * - `headCommitted`: the head's commit ran in a framework's own hook (Fastify's `onSend`), and
 *   nothing was set since: the head goes out as it is;
 * - `gaveUp`: a commit failed and the client gets the error response: nothing more is committed.
 */
export type CommitPhase = 'idle' | 'watching' | 'headCommitted' | 'gaveUp';

/**
 * What Set-Cookie the client is owed: none, the cookie with the current id
 * (`set`), or an expired cookie because its session ended here (`clear`).
 */
export type CookieObligation = 'none' | 'set' | 'clear';

/** The serialized state of a session with no data; shared, never changed (snapshots are replaced, not mutated). */
const NO_ENTRIES: SerializedEntries = new Map();

/**
 * One request's session as data: its id, its data and the snapshot of what
 * the store holds, its times, and where it stands with the commit and the
 * cookie. Its methods are the transitions between those states; the parts of
 * the session core (`session-commit.ts`, `session-cookie-obligation.ts`)
 * read and move it. `RequestSession` extends it, so a request allocates one
 * object for its session, not two.
 */
export class SessionState {
  /** The session id (`''` until loaded). */
  declare id: string;
  /** Whether the session is unsaved. */
  declare isNew: boolean;
  /** The current generation's data; `regenerate()` starts a new object. */
  declare data: SessionDataRecord;
  /** The data as the store holds it, one JSON text per key. */
  declare snapshot: SerializedEntries;
  /** Epoch ms of the first save, `0` while unsaved. */
  declare createdAt: number;
  /** Epoch ms when the stored record expires, `0` while unsaved. */
  declare expiresAt: number;
  /** Cookie lifetime this session carries (stored), `undefined` when it follows the options. */
  declare storedMaxAge: number | null | undefined;
  /** `storedMaxAge` changed since the last save. */
  declare maxAgeChanged: boolean;
  /** The client sent a cookie of our name, valid or not. */
  declare clientSentCookie: boolean;
  /** The Set-Cookie the client is owed. */
  declare cookieOwed: CookieObligation;
  /** Where the commit stands. */
  declare commitPhase: CommitPhase;
  /**
   * An object from the data was handed out, so code may change it in place,
   * unseen: a commit made for the head must be checked again at the end.
   * Independent of {@link commitPhase}, and never reset.
   */
  declare handedOut: boolean;

  // The fields are set here, not declared with initializers: Node 20 builds a
  // RequestSession (a derived class) from plain stores in about 46 ns, and
  // from class-field initializers in both classes in about 65 ns.
  constructor() {
    this.id = '';
    this.isNew = true;
    this.data = emptyRecord();
    this.snapshot = NO_ENTRIES;
    this.createdAt = 0;
    this.expiresAt = 0;
    this.storedMaxAge = undefined;
    this.maxAgeChanged = false;
    this.clientSentCookie = false;
    this.cookieOwed = 'none';
    this.commitPhase = 'idle';
    this.handedOut = false;
  }

  /** Takes over a stored record under `id` (its data joins the current data object). */
  adoptRecord(id: string, record: StoredSessionRecord): void {
    this.id = id;
    this.isNew = false;
    this.createdAt = record.createdAt;
    this.expiresAt = record.expiresAt;
    this.storedMaxAge = record.cookie?.maxAge;
    for (const key of Object.keys(record.data)) {
      if (!isReservedKey(key)) this.data[key] = record.data[key];
    }
    this.snapshot = serializeEntries(this.data);
  }

  /** Switches to a new, unsaved session under `id` (the data is left as it is). */
  becomeNew(id: string): void {
    this.id = id;
    this.isNew = true;
    this.createdAt = 0;
    this.expiresAt = 0;
    this.snapshot = NO_ENTRIES;
    this.storedMaxAge = undefined;
  }

  /** Starts a new data object, with the current keys when `keepData`; returns it. */
  replaceData(keepData: boolean): SessionDataRecord {
    const next = emptyRecord();
    if (keepData) Object.assign(next, this.data);
    this.data = next;
    return next;
  }

  /** Deletes every key of the current data object. */
  clearData(): void {
    for (const key of Object.keys(this.data)) delete this.data[key];
  }

  /** Sets the cookie lifetime this session carries (saved with the next commit). */
  changeMaxAge(maxAge: number | null): void {
    this.storedMaxAge = maxAge;
    this.maxAgeChanged = true;
  }

  /** Notes what the store now holds. */
  saved(entries: SerializedEntries): void {
    this.snapshot = entries;
    this.maxAgeChanged = false;
  }

  /** The whole record for `data`, with the cookie lifetime this session carries (if it has its own). */
  record(data: SessionDataRecord): SessionRecord {
    const maxAge = this.storedMaxAge;
    return { data, createdAt: this.createdAt, ...(maxAge !== undefined && { cookie: { maxAge } }) };
  }
}
