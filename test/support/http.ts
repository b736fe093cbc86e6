/** One HTTP exchange, reduced to what session tests look at. */
export interface Reply {
  status: number;
  body: string;
  json: unknown;
  headers: Headers;
  setCookies: string[];
  /** `name=value` of the session cookie this reply set, if any. */
  sessionCookie: string | undefined;
}

/** Options of {@link request}. */
export interface RequestOptions {
  method?: string;
  cookie?: string;
  headers?: Record<string, string>;
  body?: unknown;
  cookieName?: string;
}

/** Sends one real HTTP request (no redirects followed) and collects the reply. */
export async function request(baseUrl: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    redirect: 'manual',
  });
  const body = await response.text();
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const setCookies = response.headers.getSetCookie();
  const name = options.cookieName ?? 'sid';
  const ours = setCookies.find((c) => c.startsWith(`${name}=`));
  return {
    status: response.status,
    body,
    json,
    headers: response.headers,
    setCookies,
    sessionCookie: ours?.split(';')[0],
  };
}

/** The value part of a `name=value` cookie pair. */
export function cookieValue(pair: string | undefined): string {
  if (!pair) throw new Error('expected a cookie');
  return pair.slice(pair.indexOf('=') + 1);
}
