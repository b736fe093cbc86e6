import fc from 'fast-check';
import { sign } from 'cookie-signature';

/** A real session the fuzzed app holds, and the cookie that opens it. */
export interface SeededSession {
  /** The session id. */
  readonly id: string;
  /** The signed cookie value (`<id>.<signature>`), not URL-encoded. */
  readonly signed: string;
  /** A value only this session's data holds, to spot it in a response. */
  readonly marker: string;
}

/** What the session layer must do with one fuzzed header. */
export type FuzzExpectation =
  /** A fresh, empty session, and no store read. */
  | { readonly kind: 'fresh' }
  /** The seeded session at `index` loads, with one store read. */
  | { readonly kind: 'load'; readonly index: number }
  /** A correctly signed id the store does not hold: at most one read, never adopted. */
  | { readonly kind: 'signed-unknown'; readonly id: string }
  /** Only the invariants that hold for every header. */
  | { readonly kind: 'any' };

/** One fuzzed request. */
export interface CookieFuzzCase {
  /** Which generator made it, for the report. */
  readonly category: string;
  /**
   * `Cookie` header lines, as latin1 strings (each character one byte on the
   * wire). The server joins several lines with `"; "`.
   */
  readonly lines: readonly string[];
  /** `read` loads the session; `none` never touches it. */
  readonly route: 'read' | 'none';
  readonly expect: FuzzExpectation;
}

/** The cookie name of the fuzzed app. */
const NAME = 'sid';

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split('');
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('');
const SEPARATORS = ['; ', ';', ' ; ', ';  ', ';\t', '; ;', ';;'];

/** Printable ASCII except `;` (which would split the pair). */
const printableNoSemicolon = fc
  .integer({ min: 0x20, max: 0x7e })
  .filter((code) => code !== 0x3b)
  .map((code) => String.fromCharCode(code));

/** UTF-8 bytes of `text` as a latin1 string, which is how a client sends non-ASCII in a header. */
export function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** `text` with every control character (which Node's client refuses in headers) replaced by `replacement`. */
function withoutControls(text: string, replacement: string): string {
  return [...text].map((char) => (char < ' ' || char === '\u007f' ? replacement : char)).join('');
}

/** Unicode text without control characters or `;`, as UTF-8 bytes in latin1. */
const unicodeBytes = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'grapheme', maxLength })
    .map((text) => utf8AsLatin1(withoutControls(text, '').replaceAll(';', '')));

/** A cookie name that is never exactly ours. */
const junkName = fc
  .string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 })
  .filter((name) => name !== NAME);

/** A cookie value that never contains `;`: ASCII, latin1 bytes or UTF-8, sometimes percent-encoded. */
const junkValue = fc.oneof(
  { arbitrary: fc.string({ unit: printableNoSemicolon, maxLength: 40 }), weight: 4 },
  { arbitrary: unicodeBytes(12), weight: 2 },
  {
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map((text) => encodeURIComponent(text)),
    weight: 1,
  },
  { arbitrary: fc.constantFrom('', '""', '"quoted"', '%', '%E0%A4%A', '=', '=='), weight: 1 },
);

/** A `name=value` pair that is never ours, or a bare word without `=`. */
const junkPair = fc.oneof(
  { arbitrary: fc.tuple(junkName, junkValue).map(([name, value]) => `${name}=${value}`), weight: 5 },
  { arbitrary: junkName, weight: 1 },
);

const separator = fc.constantFrom(...SEPARATORS);

/** Pairs joined with random separators, sometimes spread over several header lines. */
function assemble(pairs: readonly string[]): fc.Arbitrary<string[]> {
  if (pairs.length === 0) return fc.constant(['']);
  return fc
    .tuple(
      fc.array(separator, { minLength: pairs.length, maxLength: pairs.length }),
      fc.array(fc.boolean(), { minLength: pairs.length, maxLength: pairs.length }),
      fc.boolean(),
    )
    .map(([separators, breaks, trailing]) => {
      const lines: string[] = [];
      let current = '';
      pairs.forEach((pair, index) => {
        if (index > 0) {
          if (breaks[index]) {
            lines.push(current);
            current = '';
          } else {
            current += separators[index];
          }
        }
        current += pair;
      });
      lines.push(trailing ? current + separators[0] : current);
      return lines;
    });
}

/** Junk pairs around `ours`, at a random place. */
function amongJunk(ours: readonly string[], maxJunk = 8): fc.Arbitrary<string[]> {
  return fc.tuple(fc.array(junkPair, { maxLength: maxJunk }), fc.nat()).chain(([junk, at]) => {
    const pairs = [...junk];
    ours.forEach((pair, offset) => pairs.splice((at + offset) % (pairs.length + 1), 0, pair));
    return assemble(pairs);
  });
}

/** A session id of the accepted shape (16-128 base64url characters). */
const wellFormedId = fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), minLength: 16, maxLength: 128 });

/** A secret that is not the app's. */
function wrongSecret(secret: string): fc.Arbitrary<string> {
  return fc.string({ unit: printableNoSemicolon, minLength: 32, maxLength: 64 }).filter((s) => s !== secret);
}

/** Percent-encodes a random subset of the characters of `value` (upper- or lower-case hex). */
function percentEncodeSome(value: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: value.length, maxLength: value.length }).chain((picks) =>
    fc.boolean().map((lower) =>
      [...value]
        .map((char, i) => {
          if (!picks[i]) return char === '+' || char === '/' ? encodeURIComponent(char) : char;
          const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
          return `%${lower ? hex : hex.toUpperCase()}`;
        })
        .join(''),
    ),
  );
}

/** The cookie value as a server sets it: URL-encoded. */
const encoded = (signed: string): string => encodeURIComponent(signed);

/** Mangles the signature of a valid signed value so that it can no longer verify. */
function mangledSignature(signed: string, others: readonly SeededSession[]): fc.Arbitrary<string> {
  const dot = signed.lastIndexOf('.');
  const id = signed.slice(0, dot);
  const signature = signed.slice(dot + 1);
  const otherSignature = fc.constantFrom(...others).map((s) => s.signed.slice(s.signed.lastIndexOf('.') + 1));
  const mangled = fc.oneof(
    // one character replaced by another
    fc
      .tuple(fc.nat({ max: signature.length - 1 }), fc.constantFrom(...BASE64_CHARS))
      .map(([i, c]) => `${id}.${signature.slice(0, i)}${c}${signature.slice(i + 1)}`),
    // truncated
    fc.integer({ min: 1, max: signature.length }).map((cut) => `${id}.${signature.slice(0, -cut)}`),
    // extended
    fc
      .string({ unit: fc.constantFrom(...BASE64_CHARS, '='), minLength: 1, maxLength: 4 })
      .map((extra) => `${signed}${extra}`),
    // case flipped
    fc.constant(
      `${id}.${[...signature].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('')}`,
    ),
    // base64url alphabet instead of base64
    fc.constant(`${id}.${signature.replace(/\+/g, '-').replace(/\//g, '_')}`),
    // the signature of another session
    otherSignature.map((other) => `${id}.${other}`),
    // no signature, no dot, two dots
    fc.constantFrom(`${id}.`, id, `${id}..${signature}`, `.${signature}`, `${id}.${signature}.${signature}`),
  );
  return mangled.filter((value) => value !== signed);
}

/**
 * Every generator of fuzzed `Cookie` headers, weighted: random and unicode
 * bytes, oversized values, duplicates, percent-encoding, forged and mangled
 * signatures, and valid cookies hidden among junk. Each case says what the
 * session layer must do with it.
 */
export function cookieFuzzCases(
  seeds: readonly SeededSession[],
  secret: string,
): fc.Arbitrary<CookieFuzzCase> {
  const seedIndex = fc.nat({ max: seeds.length - 1 });
  const fresh = { kind: 'fresh' } as const;
  const any = { kind: 'any' } as const;
  const make = (
    category: string,
    expect: FuzzExpectation,
    lines: fc.Arbitrary<string[]>,
  ): fc.Arbitrary<Omit<CookieFuzzCase, 'route'>> => lines.map((l) => ({ category, lines: l, expect }));
  const withExpectation = (
    category: string,
    build: fc.Arbitrary<{ lines: string[]; expect: FuzzExpectation }>,
  ): fc.Arbitrary<Omit<CookieFuzzCase, 'route'>> => build.map((b) => ({ category, ...b }));

  const generators: Array<fc.WeightedArbitrary<Omit<CookieFuzzCase, 'route'>>> = [
    {
      weight: 2,
      arbitrary: make(
        'random-ascii',
        any,
        fc
          .tuple(fc.boolean(), fc.string({ unit: 'binary-ascii', maxLength: 200 }))
          // control characters are left to the 'raw-bytes' generator
          .map(([prefixed, text]) => [(prefixed ? `${NAME}=` : '') + withoutControls(text, ' ')]),
      ),
    },
    {
      weight: 2,
      arbitrary: make(
        'unicode',
        fresh,
        fc
          .tuple(unicodeBytes(40), fc.array(junkPair, { maxLength: 3 }))
          .chain(([value, junk]) => amongJunk([`${NAME}=${value}`], 0).map((lines) => [...lines, ...junk])),
      ).filter((c) => c.lines.join('; ').includes(`${NAME}=`) && !looksSigned(c.lines, secret)),
    },
    {
      weight: 2,
      arbitrary: withExpectation(
        'unicode-around-valid',
        seedIndex.chain((index) =>
          fc
            .array(fc.tuple(junkName, unicodeBytes(16)), { minLength: 1, maxLength: 5 })
            .chain((junk) =>
              amongJunk([`${NAME}=${encoded(seeds[index].signed)}`, ...junk.map(([n, v]) => `${n}=${v}`)], 0),
            )
            .map((lines) => ({ lines, expect: { kind: 'load', index } })),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: make(
        'oversized',
        fresh,
        fc
          .tuple(
            fc.integer({ min: 257, max: 12_000 }),
            fc.constantFrom(...BASE64URL_CHARS, '.', '%41'),
            fc.option(seedIndex, { nil: undefined }),
          )
          .map(([length, unit, index]) => {
            const base = index === undefined ? '' : `${seeds[index].signed}`;
            return [`${NAME}=${base}${unit.repeat(Math.ceil(length / unit.length))}`];
          }),
      ),
    },
    {
      weight: 1,
      arbitrary: withExpectation(
        'oversized-junk-around-valid',
        fc
          .tuple(seedIndex, fc.integer({ min: 1_000, max: 12_000 }), fc.constantFrom('a', 'Zz9', '%7E'))
          .chain(([index, length, unit]) =>
            amongJunk(
              [`${NAME}=${encoded(seeds[index].signed)}`, `big=${unit.repeat(length / unit.length)}`],
              2,
            ).map((lines) => ({ lines, expect: { kind: 'load', index } })),
          ),
      ),
    },
    {
      weight: 1,
      arbitrary: make(
        'oversized-header',
        any,
        fc.integer({ min: 16_500, max: 40_000 }).map((length) => [`${NAME}=${'A'.repeat(length)}`]),
      ),
    },
    {
      weight: 3,
      arbitrary: make(
        'duplicated',
        fresh,
        fc
          .array(
            fc.oneof(
              seedIndex.map((i) => encoded(seeds[i].signed)),
              seedIndex.chain((i) => mangledSignature(seeds[i].signed, seeds)).map(encoded),
              fc.constantFrom('', 'x', '%', '""'),
              wellFormedId.map((id) => encoded(sign(id, secret))),
            ),
            { minLength: 2, maxLength: 4 },
          )
          .chain((values) =>
            amongJunk(
              values.map((value) => `${NAME}=${value}`),
              3,
            ),
          ),
      ),
    },
    {
      weight: 2,
      arbitrary: withExpectation(
        'percent-encoded-valid',
        seedIndex.chain((index) =>
          percentEncodeSome(seeds[index].signed)
            .chain((value) => amongJunk([`${NAME}=${value}`], 3))
            .map((lines) => ({ lines, expect: { kind: 'load', index } })),
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: make(
        'percent-encoded-broken',
        fresh,
        fc
          .tuple(
            seedIndex,
            fc.nat(),
            fc.constantFrom('%', '%G1', '%E0%A4%A', '%2', '%%', '%25', '%u0041', '%C0%AF', '%ED%A0%80'),
          )
          .map(([index, at, broken]) => {
            const value = encoded(seeds[index].signed);
            const cut = at % (value.length + 1);
            return [`${NAME}=${value.slice(0, cut)}${broken}${value.slice(cut)}`];
          }),
      ),
    },
    {
      weight: 3,
      arbitrary: make(
        'forged-wrong-secret',
        fresh,
        fc
          .tuple(
            fc.oneof(
              wellFormedId,
              seedIndex.map((i) => seeds[i].id),
            ),
            wrongSecret(secret),
            fc.boolean(),
          )
          .chain(([id, wrong, encode]) => {
            const value = sign(id, wrong);
            return amongJunk([`${NAME}=${encode ? encoded(value) : value}`], 3);
          }),
      ),
    },
    {
      weight: 3,
      arbitrary: make(
        'mangled-signature',
        fresh,
        seedIndex
          .chain((index) => mangledSignature(seeds[index].signed, seeds))
          .chain((value) => amongJunk([`${NAME}=${encoded(value)}`], 3)),
      ),
    },
    {
      weight: 4,
      arbitrary: withExpectation(
        'valid-among-junk',
        seedIndex.chain((index) =>
          amongJunk([`${NAME}=${encoded(seeds[index].signed)}`]).map((lines) => ({
            lines,
            expect: { kind: 'load', index },
          })),
        ),
      ),
    },
    {
      weight: 1,
      arbitrary: withExpectation(
        'signed-unknown-id',
        wellFormedId
          .filter((id) => seeds.every((s) => s.id !== id))
          .chain((id) =>
            amongJunk([`${NAME}=${encoded(sign(id, secret))}`], 3).map((lines) => ({
              lines,
              expect: { kind: 'signed-unknown', id },
            })),
          ),
      ),
    },
    {
      weight: 1,
      arbitrary: make(
        'signed-malformed-id',
        fresh,
        fc
          .oneof(
            fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), maxLength: 15 }),
            fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), minLength: 129, maxLength: 180 }),
            fc
              .tuple(wellFormedId, fc.constantFrom('.', '+', '/', '=', ' ', '%', 'é'))
              .map(([id, c]) => `${id}${c}x`),
          )
          .chain((id) => amongJunk([`${NAME}=${encoded(sign(id, secret))}`], 2)),
      ),
    },
    {
      weight: 1,
      arbitrary: make(
        'other-names',
        fresh,
        fc
          .tuple(seedIndex, fc.constantFrom('SID', 'Sid', 'sid2', 'xsid', 's%69d', 'sid.', '"sid"', 'sid[]'))
          .chain(([index, name]) => amongJunk([`${name}=${encoded(seeds[index].signed)}`], 3)),
      ),
    },
    {
      weight: 1,
      arbitrary: make(
        'padded-names-and-quotes',
        any,
        fc
          .tuple(
            seedIndex,
            fc.constantFrom(' sid', 'sid ', '\tsid', 'sid\t', '\xa0sid', 'sid\xa0'),
            fc.constantFrom('', '"'),
            fc.boolean(),
          )
          .chain(([index, name, quote, twice]) => {
            const pair = `${name}=${quote}${encoded(seeds[index].signed)}${quote}`;
            return amongJunk(twice ? [pair, `${NAME}=${encoded(seeds[index].signed)}`] : [pair], 2);
          }),
      ),
    },
    {
      weight: 1,
      arbitrary: make(
        'raw-bytes',
        any,
        fc
          .tuple(fc.option(seedIndex, { nil: undefined }), fc.uint8Array({ minLength: 1, maxLength: 60 }))
          .map(([index, bytes]) => {
            // Any byte but CR and LF, which would end the header line itself.
            const text = Buffer.from(bytes.filter((b) => b !== 0x0a && b !== 0x0d)).toString('latin1');
            return [
              index === undefined ? `${NAME}=${text}` : `${NAME}=${encoded(seeds[index].signed)}${text}`,
            ];
          }),
      ),
    },
  ];

  return fc
    .tuple(
      fc.oneof(...generators),
      fc.constantFrom<CookieFuzzCase['route']>('read', 'read', 'read', 'read', 'none'),
    )
    .map(([fuzzCase, route]) => ({ ...fuzzCase, route }));
}

/** Whether some pair of the header could verify under `secret` (used to keep 'fresh' cases honest). */
function looksSigned(lines: readonly string[], secret: string): boolean {
  return sessionCookieValues(lines.join('; ')).some((value) => verifies(value, secret));
}

/**
 * The values of every pair in `header` whose name could be read as ours,
 * decoded the ways a server might decode them. An over-approximation: it
 * trims any whitespace around names and accepts quoted values.
 */
export function sessionCookieValues(header: string): string[] {
  const values: string[] = [];
  for (const segment of header.split(';')) {
    const eq = segment.indexOf('=');
    if (eq === -1 || segment.slice(0, eq).trim() !== NAME) continue;
    const raw = segment.slice(eq + 1).trim();
    for (const candidate of [raw, raw.replace(/^"(.*)"$/, '$1')]) {
      values.push(candidate);
      try {
        values.push(decodeURIComponent(candidate));
      } catch {
        // not decodable: the raw value stays
      }
    }
  }
  return values;
}

/** Whether `value` is `<id>.<signature>` signed with `secret` (checked with `cookie-signature`). */
export function verifies(value: string, secret: string): boolean {
  const dot = value.lastIndexOf('.');
  return dot > 0 && sign(value.slice(0, dot), secret) === value;
}
