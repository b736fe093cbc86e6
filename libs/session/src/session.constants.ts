/** Cookie name when none is configured. */
export const DEFAULT_COOKIE_NAME = 'sid';
/** Store lifetime of an idle session when neither `idleTimeout` nor `cookie.maxAge` is set: 24 h. */
export const DEFAULT_IDLE_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Default `touchAfter`: 1 minute. */
export const DEFAULT_TOUCH_AFTER_MS = 60_000;
/** Default `maxSessionBytes`: 128 KiB. */
export const DEFAULT_MAX_SESSION_BYTES = 128 * 1024;
/** Shortest accepted secret. */
export const MIN_SECRET_LENGTH = 32;
/** Longest cookie value the session layer will even try to verify. */
export const MAX_COOKIE_VALUE_LENGTH = 256;
/** Shape every session id must have. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** Metadata key set by `@UseSession()`. */
export const USE_SESSION_METADATA = 'nest-hive:use-session';
