import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sign, unsign } from 'cookie-signature';
import { DEMO_SECRET, startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest } from '../support/fresh-http.js';
import { cookieValue } from '../support/http.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { recordReliability } from '../support/reliability-record.js';
import { OTHER_SECRET } from '../support/session-app.js';
import { requestServedBy, servedBy } from '../support/worker-targeting.js';

/** The session id inside a `sid=<value>` cookie the demo set (verified with the demo's secret). */
function idOf(cookie: string | undefined): string {
  const id = unsign(decodeURIComponent(cookieValue(cookie)), DEMO_SECRET);
  if (id === false) throw new Error(`not a cookie the demo signed: ${cookie}`);
  return id;
}

describe.each(HTTP_ADAPTERS)('9. session fixation and theft, on the demo with 2 workers (%s)', (adapter) => {
  let demo: DemoCluster;
  let pids: number[];
  const figures = { plantedIdsTried: 0, plantedIdsAdopted: 0, oldCookieChecks: 0, oldCookieLoads: 0 };

  beforeAll(async () => {
    demo = await startDemoCluster(2, { HTTP_ADAPTER: adapter });
    pids = await demo.workerPids();
  }, 40_000);
  afterAll(async () => {
    await demo.stop();
    await recordReliability(
      figuresOn(adapter, {
        'fixation.plantedIdsTried': figures.plantedIdsTried,
        'fixation.plantedIdsAdopted': figures.plantedIdsAdopted,
        'fixation.oldCookieChecksOnWorkers': figures.oldCookieChecks,
        'fixation.oldCookieLoads': figures.oldCookieLoads,
      }),
    );
  });

  const login = (user: string, cookie?: string) =>
    freshRequest(`${demo.url}/api/login`, { body: { user }, cookie });

  /**
   * `whoami` with `cookie` on each worker, checking which worker answered. One worker after the
   * other: two searches side by side can keep step with the round robin, each always handed the
   * worker the other one wants, until both give up.
   */
  async function whoamiOnEachWorker(cookie: string | undefined): Promise<unknown[]> {
    expect(pids).toHaveLength(2);
    const users: unknown[] = [];
    for (const pid of pids) {
      const reply = await requestServedBy(`${demo.url}/api/whoami`, pid, { cookie });
      expect(servedBy(reply)).toBe(pid);
      expect(reply.status).toBe(200);
      expect(reply.sessionCookie).toBeUndefined();
      users.push((reply.json as { user: unknown }).user);
    }
    return users;
  }

  /** Asserts that an old cookie loads nothing on any worker, counting the checks. */
  async function expectDeadEverywhere(cookie: string): Promise<void> {
    const users = await whoamiOnEachWorker(cookie);
    figures.oldCookieChecks += users.length;
    figures.oldCookieLoads += users.filter((user) => user !== null).length;
    expect(users).toEqual([null, null]);
  }

  const attackerId = randomBytes(24).toString('base64url');
  const planted: Array<[string, string]> = [
    ['an unsigned id', `sid=${attackerId}`],
    ['an id signed with a wrong secret', `sid=${encodeURIComponent(sign(attackerId, OTHER_SECRET))}`],
    [
      'an id signed with the right secret but absent from the store',
      `sid=${encodeURIComponent(sign(attackerId, DEMO_SECRET))}`,
    ],
  ];

  it.each(planted)(
    'an attacker-chosen id (%s) is never adopted, by login or by any write',
    async (_label, cookie) => {
      figures.plantedIdsTried++;
      const victim = `victim-${randomBytes(4).toString('hex')}`;
      const loggedIn = await login(victim, cookie);
      expect(loggedIn.status).toBe(200);
      const newId = idOf(loggedIn.sessionCookie);
      if (newId === attackerId) figures.plantedIdsAdopted++;
      expect(newId).not.toBe(attackerId);

      const visit = await freshRequest(`${demo.url}/api/visits`, { cookie });
      expect(visit.json).toMatchObject({ visits: 1 });
      const visitId = idOf(visit.sessionCookie);
      if (visitId === attackerId) figures.plantedIdsAdopted++;
      expect(visitId).not.toBe(attackerId);

      // The attacker's cookie never sees the user, on any worker; the victim's new cookie does, on every worker.
      expect(await whoamiOnEachWorker(cookie)).toEqual([null, null]);
      expect(await whoamiOnEachWorker(loggedIn.sessionCookie)).toEqual([victim, victim]);
    },
  );

  it('a real session an attacker planted is ended by the login: regenerate() kills the old id on every worker at once', async () => {
    const attacker = await login('mallory');
    const plantedCookie = attacker.sessionCookie as string;
    expect(await whoamiOnEachWorker(plantedCookie)).toEqual(['mallory', 'mallory']);

    const victim = await login('victim', plantedCookie);
    expect(victim.status).toBe(200);
    expect(idOf(victim.sessionCookie)).not.toBe(idOf(plantedCookie));
    // Straight after the login answered, on both workers: the old id loads nothing.
    await expectDeadEverywhere(plantedCookie);
    expect(await whoamiOnEachWorker(victim.sessionCookie)).toEqual(['victim', 'victim']);
  });

  it('a second login regenerates again: the first logged-in cookie is dead on every worker', async () => {
    const first = await login('ann');
    const firstCookie = first.sessionCookie as string;
    // Use it on both workers first, so each has served it.
    expect(await whoamiOnEachWorker(firstCookie)).toEqual(['ann', 'ann']);
    const second = await login('ann-again', firstCookie);
    expect(idOf(second.sessionCookie)).not.toBe(idOf(firstCookie));
    await expectDeadEverywhere(firstCookie);
    expect(await whoamiOnEachWorker(second.sessionCookie)).toEqual(['ann-again', 'ann-again']);
  });

  it('after destroy() (logout), a stolen copy of the cookie loads nothing on any worker', async () => {
    const loggedIn = await login('carol');
    const cookie = loggedIn.sessionCookie as string;
    const stolen = cookie;
    expect(await whoamiOnEachWorker(stolen)).toEqual(['carol', 'carol']);

    const logout = await freshRequest(`${demo.url}/api/logout`, { method: 'POST', cookie });
    expect(logout.status).toBe(200);
    const cleared = String(logout.headers['set-cookie']);
    expect(cleared).toMatch(/^sid=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/i);

    await expectDeadEverywhere(stolen);
    // Replaying it on a writing route starts a new, empty session under a new id.
    const replay = await freshRequest(`${demo.url}/api/visits`, { cookie: stolen });
    expect(replay.json).toMatchObject({ visits: 1 });
    expect(idOf(replay.sessionCookie)).not.toBe(idOf(stolen));
  });
});
