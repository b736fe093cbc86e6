/**
 * Traffic that checks sessions: logged-in users, each request's `/api/whoami` answer checked
 * against its cookie's user, on new connections and on keep-alive ones. For the tests that replace
 * workers under load and count every failed request.
 */
import { expect } from '@jest/globals';
import { freshRequest } from './fresh-http.js';
import { LoadLoop, type LoadLoopStats } from './load-loop.js';

/** How much traffic: `users` logged in as `<label>-<i>`, and loops of that many clients each. */
export interface SessionTrafficOptions {
  readonly label: string;
  readonly users: number;
  readonly newConnections: number;
  readonly keepAlive: number;
  /** Hard stop of the traffic, whatever happens. */
  readonly maxDurationMs: number;
}

/** Logs the users in, then starts a new-connection loop and a keep-alive loop. */
export async function startSessionTraffic(url: string, options: SessionTrafficOptions): Promise<LoadLoop[]> {
  const users = Array.from({ length: options.users }, (_, i) => `${options.label}-${i}`);
  const cookies: string[] = [];
  for (const user of users)
    cookies.push((await freshRequest(`${url}/api/login`, { body: { user } })).sessionCookie as string);
  const next = (loop: number, n: number) => {
    const i = (loop + n) % users.length;
    return { path: '/api/whoami', cookie: cookies[i], expectUser: users[i] };
  };
  const maxDurationMs = options.maxDurationMs;
  return [
    new LoadLoop({ url, concurrency: options.newConnections, keepAlive: false, maxDurationMs, next }),
    new LoadLoop({ url, concurrency: options.keepAlive, keepAlive: true, maxDurationMs, next }),
  ].map((loop) => loop.start());
}

/** Stops the loops, logs their figures under `label`, and checks none failed and each answered more than `minOk`. */
export async function expectNoFailedRequest(label: string, loops: LoadLoop[], minOk: number): Promise<void> {
  const stats: LoadLoopStats[] = await Promise.all(loops.map((loop) => loop.stop()));
  const figures = stats.map(({ sent, ok, failed, failures, wrongSession, failureLog }) => ({
    sent,
    ok,
    failed,
    failures,
    wrongSession,
    firstFailures: failureLog.slice(0, 3),
  }));
  console.log(JSON.stringify({ [label]: figures }));
  for (const figure of figures) {
    expect(figure).toMatchObject({ failed: 0, wrongSession: 0 });
    expect(figure.ok).toBeGreaterThan(minOk);
  }
}
