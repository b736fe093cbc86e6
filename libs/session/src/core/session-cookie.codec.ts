import { parseCookie, stringifySetCookie } from 'cookie';
import { MAX_COOKIE_VALUE_LENGTH, SESSION_ID_PATTERN } from '../session.constants.js';
import type { ResolvedCookieSettings } from '../session-config.js';
import { CookieSigner } from './cookie-signer.js';
import { RecentValues } from './recent-values.js';

/** Why a session cookie was not accepted. Never contains the cookie value. */
export type CookieRejection = 'duplicate' | 'oversized' | 'unsigned' | 'bad-signature' | 'malformed';

/** What the request's `Cookie` header says about the session. */
export type SessionCookieReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'rejected'; readonly reason: CookieRejection }
  | { readonly kind: 'valid'; readonly id: string };

const ABSENT: SessionCookieReading = { kind: 'absent' };

/** Per-response attributes that depend on the request or the session. */
export interface CookieWriteAttributes {
  readonly secure: boolean;
  /** Persistent-cookie expiry, or `undefined` for a browser-session cookie. */
  readonly expires: Date | undefined;
}

/** How many `Cookie` headers with a valid session cookie the codec remembers. */
const READ_MEMO_SIZE = 2048;
/** The longest `Cookie` header the codec remembers (so the memo stays under a few MB). */
const READ_MEMO_MAX_HEADER = 1024;

/** What express-session puts before the signed id in its cookie value. */
const EXPRESS_SESSION_PREFIX = 's:';

/**
 * Reads, verifies, signs and writes the session cookie. The value is
 * `<id>.<HMAC-SHA256 signature>` in the `cookie-signature` format, verified
 * in constant time against every configured secret; with the
 * `'express-session'` format it carries express-session's `s:` prefix too.
 */
export class SessionCookieCodec {
  private readonly signer: CookieSigner;
  private readonly prefix: string;
  /** The attributes that never change, formatted once: `; Domain=…; Path=…` (before `Expires`). */
  private readonly placeAttributes: string;
  /** The attributes after `Expires`, for an insecure and for a secure cookie. */
  private readonly tails: Readonly<Record<'plain' | 'secure', string>>;
  /** `Cookie` headers that held a valid session cookie lately, with their reading (see {@link read}). */
  private readonly validReadings = new RecentValues<SessionCookieReading>(READ_MEMO_SIZE);

  constructor(
    private readonly settings: ResolvedCookieSettings,
    secrets: readonly string[],
  ) {
    this.signer = new CookieSigner(secrets);
    this.prefix = settings.format === 'express-session' ? EXPRESS_SESSION_PREFIX : '';
    // Formatted (and checked) by `cookie` itself, in its attribute order, once rather than per response.
    this.placeAttributes = attributesOf(settings.name, { domain: settings.domain, path: settings.path });
    const tail = (secure: boolean): string =>
      attributesOf(settings.name, {
        httpOnly: settings.httpOnly,
        secure,
        partitioned: settings.partitioned && secure,
        priority: settings.priority,
        sameSite: settings.sameSite,
      });
    this.tails = { plain: tail(false), secure: tail(true) };
  }

  /**
   * Extracts and verifies the session id from a `Cookie` header. A returning
   * client sends the same header on every request, so the headers that held
   * a valid session cookie lately are remembered with their reading (at most
   * {@link READ_MEMO_SIZE} of up to {@link READ_MEMO_MAX_HEADER} characters,
   * the oldest dropped first): an exact repeat is answered by one lookup.
   * Any other header is parsed and verified in full.
   */
  read(header: string | undefined): SessionCookieReading {
    if (!header) return ABSENT;
    const known = this.validReadings.get(header);
    if (known !== undefined) return known;
    const reading = this.readAnew(header);
    if (reading.kind === 'valid' && header.length <= READ_MEMO_MAX_HEADER)
      this.validReadings.set(header, reading);
    return reading;
  }

  private readAnew(header: string): SessionCookieReading {
    const name = this.settings.name;
    if (!header.includes(name)) return ABSENT;
    const occurrences = countCookies(header, name);
    if (occurrences === 0) return ABSENT;
    if (occurrences > 1) return { kind: 'rejected', reason: 'duplicate' };
    const value = parseCookie(header)[name];
    if (value === undefined || value === '') return { kind: 'rejected', reason: 'malformed' };
    if (value.length > MAX_COOKIE_VALUE_LENGTH) return { kind: 'rejected', reason: 'oversized' };
    const prefix = this.prefix;
    if (!value.includes('.') || (prefix !== '' && !value.startsWith(prefix))) {
      return { kind: 'rejected', reason: 'unsigned' };
    }
    const id = this.signer.unsign(prefix === '' ? value : value.slice(prefix.length));
    if (id === undefined) return { kind: 'rejected', reason: 'bad-signature' };
    return SESSION_ID_PATTERN.test(id) ? { kind: 'valid', id } : { kind: 'rejected', reason: 'malformed' };
  }

  /**
   * A `Set-Cookie` value carrying `id`, signed with the first secret: what
   * `cookie`'s `stringifySetCookie` writes, with the attributes that never
   * change formatted at start-up.
   */
  write(id: string, attributes: CookieWriteAttributes): string {
    const expires = attributes.expires;
    let header = `${this.settings.name}=${encodeURIComponent(this.prefix + this.signer.sign(id))}`;
    if (expires) header += `; Max-Age=${Math.max(0, Math.round((expires.getTime() - Date.now()) / 1000))}`;
    header += this.placeAttributes;
    if (expires) header += `; Expires=${expires.toUTCString()}`;
    return header + (attributes.secure ? this.tails.secure : this.tails.plain);
  }

  /** A `Set-Cookie` value that makes the browser drop the session cookie. */
  clear(secure: boolean): string {
    const s = this.settings;
    return stringifySetCookie(s.name, '', {
      path: s.path,
      domain: s.domain,
      httpOnly: s.httpOnly,
      sameSite: s.sameSite,
      secure,
      partitioned: s.partitioned && secure,
      expires: new Date(0),
      maxAge: 0,
    });
  }

  /** The cookie name. */
  get name(): string {
    return this.settings.name;
  }
}

/** Counts `name=` pairs in a `Cookie` header, matching whole names only. */
function countCookies(header: string, name: string): number {
  let count = 0;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) count++;
    start = end + 1;
  }
  return count;
}

/** The attributes `cookie` writes for `options`, without the leading `name=value`. */
function attributesOf(name: string, options: Parameters<typeof stringifySetCookie>[2]): string {
  const probe = stringifySetCookie(name, 'v', options);
  return probe.slice(`${name}=v`.length);
}
