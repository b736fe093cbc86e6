/**
 * Whether a request comes from a page of the server's own origin, or from no page at all (curl,
 * scripts). Browsers send `Origin` on every cross-origin `POST`, and a body-less `POST` needs no
 * preflight, so without this check any web site could call a state-changing route of a demo
 * running on the visitor's machine.
 *
 * @param origin - the request's `Origin` header, if any.
 * @param host - the request's `Host` header.
 */
export function isSameOriginOrNoOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
