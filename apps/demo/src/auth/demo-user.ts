/** The user Passport puts on `req.user` in the demo. */
export interface DemoUser {
  readonly username: string;
}

/** User names the demo accepts: a lower-case letter, then up to 31 of `a-z 0-9 _ -`. */
export const DEMO_USERNAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** The one password of the demo, for every user name. */
export const DEMO_PASSWORD = 'hive-demo';

/** The user for these credentials, or `undefined` when they are not the demo's. */
export function checkDemoCredentials(username: unknown, password: unknown): DemoUser | undefined {
  if (typeof username !== 'string' || !DEMO_USERNAME_PATTERN.test(username)) return undefined;
  return password === DEMO_PASSWORD ? { username } : undefined;
}

/** A user from what the session holds, validated (it comes from the store). */
export function demoUserFrom(value: unknown): DemoUser | undefined {
  return typeof value === 'string' && DEMO_USERNAME_PATTERN.test(value) ? { username: value } : undefined;
}

/** Whether `value` is a user the demo made (what Passport put on `req.user`). */
export function isDemoUser(value: unknown): value is DemoUser {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { username?: unknown }).username === 'string' &&
    DEMO_USERNAME_PATTERN.test((value as { username: string }).username)
  );
}
