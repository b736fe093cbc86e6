import type { ResolvedCookieSettings } from '../session-config.js';

/**
 * Method key through which the session runtime hands its cookie settings to
 * a store that writes them into its records (the express-session adapter:
 * express-session re-sends a cookie with the attributes stored in the
 * session). Internal to this package; other stores never see it.
 */
export const USE_COOKIE_SETTINGS = Symbol('nest-hive.session.use-cookie-settings');

/** A store that wants the module's cookie settings. */
export interface CookieSettingsConsumer {
  [USE_COOKIE_SETTINGS](settings: ResolvedCookieSettings): void;
}

/** Gives `store` the cookie settings if it asks for them. */
export function shareCookieSettings(store: object, settings: ResolvedCookieSettings): void {
  const consumer = store as Partial<CookieSettingsConsumer>;
  if (typeof consumer[USE_COOKIE_SETTINGS] === 'function') consumer[USE_COOKIE_SETTINGS](settings);
}
