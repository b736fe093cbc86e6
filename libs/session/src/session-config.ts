import type { IncomingMessage } from 'node:http';
import { isWeakSecret } from './core/secret-strength.js';
import { generateSessionId } from './core/session-id.js';
import {
  DEFAULT_COOKIE_NAME,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_SESSION_BYTES,
  DEFAULT_TOUCH_AFTER_MS,
  MIN_SECRET_LENGTH,
} from './session.constants.js';
import { InvalidSessionOptionsError } from './session.errors.js';
import type {
  SameSiteOption,
  SessionCookieFormat,
  SessionEagerRoutes,
  SessionModuleOptions,
} from './session-options.interface.js';
import { assertSessionStore } from './session-store.check.js';
import { resolveUsersConfig, type ResolvedUsersConfig } from './users/user-sessions.options.js';

/** Cookie settings after defaults, as the request path needs them. */
export interface ResolvedCookieSettings {
  readonly name: string;
  readonly path: string;
  readonly domain: string | undefined;
  readonly httpOnly: boolean;
  readonly sameSite: SameSiteOption | undefined;
  readonly secure: boolean | 'auto';
  readonly maxAge: number | null;
  readonly partitioned: boolean;
  readonly priority: 'low' | 'medium' | 'high' | undefined;
  readonly format: SessionCookieFormat;
}

/** Where the session loads before the route's middleware and guards. */
export type ResolvedEagerLoading =
  | { readonly kind: 'off' }
  | { readonly kind: 'all' }
  | { readonly kind: 'routes'; readonly routes: SessionEagerRoutes };

/**
 * Options merged with their defaults and checked once at start-up. The
 * request path reads only this; the raw options are never passed down.
 */
export interface SessionConfig {
  readonly secrets: readonly string[];
  readonly cookie: ResolvedCookieSettings;
  readonly rolling: boolean;
  readonly touchAfterMs: number;
  /** Explicit idle timeout; `undefined` means: cookie max age, else 24 h. */
  readonly idleTimeoutMs: number | undefined;
  readonly absoluteTimeoutMs: number | undefined;
  readonly genid: (req: IncomingMessage) => string | Promise<string>;
  readonly trustProxy: boolean;
  readonly maxSessionBytes: number;
  readonly eager: ResolvedEagerLoading;
  readonly users: ResolvedUsersConfig;
}

/**
 * Checks `options` as `SessionModule` does at start-up, without starting
 * anything: call it early (e.g. in a cluster's primary, before forking
 * workers) to fail fast on a bad secret.
 *
 * @throws InvalidSessionOptionsError naming the option at fault.
 * @example
 * ```ts
 * validateSessionOptions({ secret: process.env.SESSION_SECRET });
 * ```
 */
export function validateSessionOptions(options: SessionModuleOptions): void {
  resolveSessionConfig(options);
}

/** Validates the options and resolves them into a {@link SessionConfig}. */
export function resolveSessionConfig(options: SessionModuleOptions): SessionConfig {
  const secrets = resolveSecrets(options.secret);
  if (options.store !== undefined) assertSessionStore(options.store);
  const cookie = options.cookie ?? {};
  const sameSite =
    cookie.sameSite === undefined ? 'lax' : cookie.sameSite === false ? undefined : cookie.sameSite;
  if (sameSite !== undefined && !['lax', 'strict', 'none'].includes(sameSite)) {
    throw new InvalidSessionOptionsError('cookie.sameSite', "must be 'lax', 'strict', 'none' or false.");
  }
  const secure = cookie.secure ?? 'auto';
  if (sameSite === 'none' && secure === false) {
    throw new InvalidSessionOptionsError(
      'cookie.sameSite',
      "is 'none', which browsers accept only on secure cookies: set cookie.secure to true or 'auto'.",
    );
  }
  const name = options.name ?? DEFAULT_COOKIE_NAME;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new InvalidSessionOptionsError('name', 'must be a valid cookie name (RFC 6265 token characters).');
  }
  const format = cookie.format ?? 'nest-hive';
  if (format !== 'nest-hive' && format !== 'express-session') {
    throw new InvalidSessionOptionsError('cookie.format', "must be 'nest-hive' or 'express-session'.");
  }
  const idleTimeoutMs = optionalDuration('idleTimeout', options.idleTimeout);
  const maxAge = optionalDuration('cookie.maxAge', cookie.maxAge);
  const effectiveIdle = idleTimeoutMs ?? maxAge ?? DEFAULT_IDLE_TIMEOUT_MS;
  const touchAfterMs = optionalDuration('touchAfter', options.touchAfter, true) ?? DEFAULT_TOUCH_AFTER_MS;
  return {
    secrets,
    cookie: {
      name,
      path: cookie.path ?? '/',
      domain: cookie.domain,
      httpOnly: cookie.httpOnly ?? true,
      sameSite,
      secure,
      maxAge: maxAge ?? null,
      partitioned: cookie.partitioned ?? false,
      priority: cookie.priority,
      format,
    },
    rolling: options.rolling ?? false,
    touchAfterMs: Math.min(touchAfterMs, Math.floor(effectiveIdle / 2)),
    idleTimeoutMs,
    absoluteTimeoutMs: optionalDuration('absoluteTimeout', options.absoluteTimeout),
    genid: options.genid ?? generateSessionId,
    trustProxy: options.trustProxy ?? false,
    maxSessionBytes:
      optionalDuration('maxSessionBytes', options.maxSessionBytes) ?? DEFAULT_MAX_SESSION_BYTES,
    eager: resolveEager(options.eager),
    users: resolveUsersConfig(options.users),
  };
}

function resolveEager(eager: unknown): ResolvedEagerLoading {
  if (eager === undefined || eager === false) return { kind: 'off' };
  if (eager === true) return { kind: 'all' };
  const usage =
    "must be true, false, or { forRoutes: [...], exclude?: [...] } (e.g. { forRoutes: ['auth/*path'] }).";
  if (typeof eager !== 'object' || eager === null) throw new InvalidSessionOptionsError('eager', usage);
  const { forRoutes, exclude } = eager as { forRoutes?: unknown; exclude?: unknown };
  if (!Array.isArray(forRoutes) || forRoutes.length === 0) {
    throw new InvalidSessionOptionsError('eager.forRoutes', `must list at least one route: eager ${usage}`);
  }
  if (exclude !== undefined && !Array.isArray(exclude)) {
    throw new InvalidSessionOptionsError('eager.exclude', 'must be an array of routes.');
  }
  return { kind: 'routes', routes: eager as SessionEagerRoutes };
}

function resolveSecrets(secret: unknown): string[] {
  const fix = 'Generate one with `openssl rand -base64 48` and pass it, e.g. from an environment variable.';
  if (secret === undefined || secret === null || secret === '') {
    throw new InvalidSessionOptionsError('secret', `is required. ${fix}`);
  }
  const secrets: unknown[] = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0) {
    throw new InvalidSessionOptionsError('secret', `must hold at least one secret. ${fix}`);
  }
  return secrets.map((value, index) => {
    const label = Array.isArray(secret) ? `secret[${index}]` : 'secret';
    if (typeof value !== 'string') {
      throw new InvalidSessionOptionsError(label, `must be a string. ${fix}`);
    }
    if (value.length < MIN_SECRET_LENGTH) {
      throw new InvalidSessionOptionsError(
        label,
        `is ${value.length} characters; it must be at least ${MIN_SECRET_LENGTH}. ${fix}`,
      );
    }
    if (isWeakSecret(value)) {
      throw new InvalidSessionOptionsError(
        label,
        `looks like a placeholder from documentation (words such as "change me", "your secret", "example") or a repeated pattern. ${fix}`,
      );
    }
    return value;
  });
}

function optionalDuration(option: string, value: number | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || !Number.isInteger(value)) {
    throw new InvalidSessionOptionsError(
      option,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer.`,
    );
  }
  return value;
}
