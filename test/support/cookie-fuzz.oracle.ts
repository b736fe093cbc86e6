import type { CookieReply } from './cookie-client.js';
import {
  sessionCookieValues,
  verifies,
  type CookieFuzzCase,
  type SeededSession,
} from './cookie-fuzz.cases.js';
import type { StoreOperation } from './counting-store.js';

/** Store calls one request made. */
export type StoreCallDelta = Record<StoreOperation, number>;

/** Statuses Node's own HTTP parser answers with before the app runs. */
const PARSER_STATUSES = new Set([400, 431]);

interface ReadBody {
  id: string;
  isNew: boolean;
  data: Record<string, unknown>;
}

function isReadBody(value: unknown): value is ReadBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body.id === 'string' &&
    typeof body.isNew === 'boolean' &&
    typeof body.data === 'object' &&
    body.data !== null
  );
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Everything wrong with the reply to one fuzzed request (an empty list when
 * it is right). The rules hold for every header:
 *
 * - never a 5xx; a non-200 only from Node's parser (400, 431);
 * - a stored session's data shows only when its exact signed cookie was sent;
 * - no store read unless some pair of the header carries a valid signature;
 * - a read-only route never writes to the store (beyond touching a session it
 *   loaded) and never sets a cookie.
 *
 * On top, each generated case states its expected outcome (fresh, load...).
 */
export function fuzzViolations(
  fuzzCase: CookieFuzzCase,
  reply: CookieReply,
  calls: StoreCallDelta,
  seeds: readonly SeededSession[],
  secret: string,
): string[] {
  const problems: string[] = [];
  const header = fuzzCase.lines.join('; ');
  const verified = sessionCookieValues(header).filter((value) => verifies(value, secret));
  // A loaded session may be touched (its lifetime extended) once `touchAfter` has passed; nothing else writes.
  const writes = calls.set + calls.patch + calls.destroy;

  if (reply.status >= 500) problems.push(`answered ${reply.status}`);
  if (writes > 0) problems.push(`wrote to the store (${JSON.stringify(calls)})`);
  if (calls.get > 1) problems.push(`read the store ${calls.get} times`);
  if (calls.touch > calls.get) problems.push('touched a session it did not load');
  if (calls.get > 0 && verified.length === 0)
    problems.push('read the store for a cookie without a valid signature');
  if (reply.setCookies.length > 0) problems.push(`set a cookie: ${reply.setCookies.join(' | ')}`);
  for (const seed of seeds) {
    if (reply.body.includes(seed.marker) && !verified.includes(seed.signed)) {
      problems.push(`showed the data of session ${seed.id} without its signed cookie`);
    }
  }

  if (reply.status !== 200) {
    if (!PARSER_STATUSES.has(reply.status) && !(reply.status === 0 && reply.via === 'raw')) {
      problems.push(`unexpected status ${reply.status}`);
    }
    if (fuzzCase.expect.kind !== 'any') problems.push(`expected the app to answer, got ${reply.status}`);
    if (calls.get > 0) problems.push('read the store on a request the app did not answer');
    return problems;
  }

  const body = parse(reply.body);
  if (fuzzCase.route === 'none') {
    if (reply.body !== '{"ok":true}') problems.push(`unexpected body ${reply.body}`);
    if (calls.get > 0) problems.push('a route that never uses the session read the store');
    return problems;
  }
  if (!isReadBody(body)) return [...problems, `not a session view: ${reply.body.slice(0, 200)}`];

  if (body.isNew && calls.touch > 0) problems.push('touched the store for a new session');
  if (!body.isNew) {
    const seed = seeds.find((s) => s.id === body.id);
    if (!seed) problems.push(`loaded an unknown session ${body.id}`);
    else {
      if (!verified.includes(seed.signed)) problems.push(`loaded ${seed.id} without its signed cookie`);
      if (JSON.stringify(body.data) !== JSON.stringify({ user: seed.marker })) {
        problems.push(`loaded ${seed.id} with the wrong data ${JSON.stringify(body.data)}`);
      }
    }
  } else {
    if (Object.keys(body.data).length > 0)
      problems.push(`a new session holds data ${JSON.stringify(body.data)}`);
    if (seeds.some((s) => s.id === body.id)) problems.push(`a new session reused the stored id ${body.id}`);
    if (header.includes(body.id)) problems.push(`a new session adopted the id ${body.id} the client sent`);
  }
  if (verified.length === 0 && !body.isNew) problems.push('loaded a session without any valid signature');

  const expected = fuzzCase.expect;
  switch (expected.kind) {
    case 'fresh':
      if (!body.isNew || calls.get !== 0)
        problems.push(`expected a fresh session and no read (reads ${calls.get})`);
      break;
    case 'load':
      if (body.isNew || body.id !== seeds[expected.index].id || calls.get !== 1) {
        problems.push(
          `expected session ${seeds[expected.index].id} to load with one read (reads ${calls.get})`,
        );
      }
      break;
    case 'signed-unknown':
      if (!body.isNew || body.id === expected.id) problems.push(`adopted the unknown id ${expected.id}`);
      break;
    case 'any':
      break;
  }
  return problems;
}
