/**
 * The demo's session data, typed for every `@Session()` in the app by
 * augmenting the library's `SessionData`.
 */
declare module '@nest-hive/session' {
  interface SessionData {
    /** The logged-in user name. */
    user?: string;
    /** How many times `/api/visits` was called in this session. */
    visits?: number;
  }
}

export {};
