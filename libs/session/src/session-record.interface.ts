/** Data keys of one session as the store holds them. Values are JSON-compatible. */
export type SessionDataRecord = Record<string, unknown>;

/** Per-session cookie settings that outlive the request that set them. */
export interface StoredCookieSettings {
  /** Cookie lifetime in ms, or `null` for a browser-session cookie. */
  maxAge?: number | null;
}

/** What the session layer hands to {@link SessionStore.set}. */
export interface SessionRecord {
  /** The session's data. */
  data: SessionDataRecord;
  /** Epoch ms when the session was first saved; the absolute timeout counts from it. */
  createdAt: number;
  /** Cookie settings a handler changed for this session. */
  cookie?: StoredCookieSettings;
}

/** What a store returns from {@link SessionStore.get}. */
export interface StoredSessionRecord extends SessionRecord {
  /** Epoch ms when the store entry expires, as the store keeps it (after the last `set`, `patch` or `touch`). */
  expiresAt: number;
}

/**
 * The keys one request changed. Stores that apply it key by key let two
 * requests that change different keys of one session at the same time both
 * win; for the same key the last write wins.
 */
export interface SessionPatch {
  /** Keys written, with their new values. */
  set: SessionDataRecord;
  /** Keys deleted. */
  unset: string[];
  /** New cookie settings, when the handler changed them. */
  cookie?: StoredCookieSettings;
}
