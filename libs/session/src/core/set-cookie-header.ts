/**
 * Where the session's Set-Cookie goes: the Node response (`getHeader` and
 * `setHeader` of a `ServerResponse`), or a framework reply that sends its own
 * headers (see `replyHeaderTarget`).
 */
export interface HeaderTarget {
  /** The header's current value, if any. */
  getHeader(name: string): unknown;
  /** Replaces the header's value. */
  setHeader(name: string, value: string[]): unknown;
}

/** Adds a Set-Cookie value, keeping those other code set and replacing an earlier one of the cookie `name`. */
export function appendSetCookie(target: HeaderTarget, name: string, header: string): void {
  const existing = target.getHeader('set-cookie');
  const prefix = `${name}=`;
  const others =
    existing === undefined
      ? []
      : (Array.isArray(existing) ? (existing as unknown[]) : [existing])
          .map(String)
          .filter((value) => !value.startsWith(prefix));
  target.setHeader('set-cookie', [...others, header]);
}
