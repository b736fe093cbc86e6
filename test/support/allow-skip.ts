/** A service some test suites need, which `NEST_HIVE_ALLOW_SKIP` may excuse. */
export type SkippableService = 'redis' | 'postgres' | 'chromium' | 'fleet';

/** The environment variable that lists the services whose absence skips tests instead of failing them. */
export const ALLOW_SKIP_VARIABLE = 'NEST_HIVE_ALLOW_SKIP';

/**
 * Whether a missing `service` may skip its tests: only when it is named in
 * `NEST_HIVE_ALLOW_SKIP` (a comma-separated list, e.g. `redis,chromium`, or
 * `all`). Without that explicit opt-in a missing service is a failure, so a
 * run never passes by silently leaving tests out.
 */
export function skipAllowed(service: SkippableService, env: NodeJS.ProcessEnv = process.env): boolean {
  const listed = (env[ALLOW_SKIP_VARIABLE] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  return listed.includes(service) || listed.includes('all');
}

/** The sentence a missing-service failure ends with: how to opt into the skip. */
export function skipHint(service: SkippableService): string {
  return `To skip these tests instead, run with ${ALLOW_SKIP_VARIABLE}=${service}.`;
}
