import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { sign } from 'cookie-signature';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { freshRequest, type FreshReply } from '../support/fresh-http.js';
import { cookieValue } from '../support/http.js';
import { LeakDetector, stripAnsi } from '../support/log-leaks.js';
import { waitFor } from '../support/processes.js';
import { figuresOn, HTTP_ADAPTERS } from '../support/http-adapters.js';
import { recordReliability } from '../support/reliability-record.js';
import { OTHER_SECRET } from '../support/session-app.js';
import { requestServedBy } from '../support/worker-targeting.js';

/** Stops the demo gracefully (SIGTERM), so that its shutdown logs are captured too; SIGKILL after 15 s. */
async function stopGracefully(demo: DemoCluster): Promise<void> {
  demo.process.signal('SIGTERM');
  const timer = setTimeout(() => demo.process.signal('SIGKILL'), 15_000);
  await demo.process.exited;
  clearTimeout(timer);
}

/** Waits until `before` are all gone and `count` ready workers serve. */
async function waitForNewWorkers(demo: DemoCluster, before: number[], count: number): Promise<number[]> {
  return waitFor(
    'replacement workers',
    async () => {
      const pids = await demo.workerPids();
      return pids.length === count && pids.every((pid) => !before.includes(pid)) ? pids : undefined;
    },
    30_000,
    100,
  );
}

/** Invalid cookies an attacker might send, built from a real one. */
function forgeries(real: string): string[] {
  const value = decodeURIComponent(cookieValue(real));
  const id = value.slice(0, value.lastIndexOf('.'));
  const attackerId = randomBytes(24).toString('base64url');
  return [
    `sid=${encodeURIComponent(sign(attackerId, OTHER_SECRET))}`,
    `sid=${encodeURIComponent(`${id}.${'A'.repeat(43)}`)}`,
    `sid=${id}`,
    `${real}; ${real}`,
    `sid=${encodeURIComponent(value)}%E0%A4%A`,
    `sid=${'Z'.repeat(300)}`,
    `sid=${encodeURIComponent(sign(attackerId, 'Kq8Vx3Mz7Lb2Nw6Jh1Gd5Fs9Ta4Ye0Ru-_Io3Pc8Xm'))}`,
  ];
}

describe.each(HTTP_ADAPTERS)('10. no secret and no session id is ever written to logs (%s)', (adapter) => {
  it('a demo cluster driven through logins, visits, logouts, forged cookies, kill -9, a rolling restart and a store outage logs none of them', async () => {
    const secret = randomBytes(36).toString('base64url');
    const leaks = new LeakDetector();
    leaks.addSecret('SESSION_SECRET', secret);
    const track = (label: string, reply: FreshReply): FreshReply => {
      leaks.addCookie(label, reply.sessionCookie);
      for (const setCookie of [reply.headers['set-cookie'] ?? []].flat())
        leaks.addCookie(label, setCookie.split(';')[0]);
      return reply;
    };

    const demo = await startDemoCluster(2, { SESSION_SECRET: secret, HTTP_ADAPTER: adapter });
    let output = '';
    try {
      const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
      const cookies = new Map<string, string>();
      const login = async (user: string, cookie?: string) => {
        const reply = track(
          `login ${user}`,
          await freshRequest(`${demo.url}/api/login`, { body: { user }, cookie }),
        );
        expect(reply.status).toBe(200);
        cookies.set(user, reply.sessionCookie as string);
      };
      const useEverywhere = async () => {
        for (const [user, cookie] of cookies) {
          for (const pid of await demo.workerPids()) {
            const who = await requestServedBy(`${demo.url}/api/whoami`, pid, { cookie });
            expect(who.json).toEqual({ user });
          }
          track(`visits ${user}`, await freshRequest(`${demo.url}/api/visits`, { cookie }));
        }
      };

      // Anonymous visits, then logins (each regenerates the anonymous session).
      for (const user of users) {
        const anonymous = track('anonymous visit', await freshRequest(`${demo.url}/api/visits`));
        await login(user, anonymous.sessionCookie);
      }
      await useEverywhere();

      // Forged and broken cookies, on reading and writing routes, and a refused login body.
      for (const forged of forgeries(cookies.get('ann') as string)) {
        leaks.addCookie('forged', forged.split('; ')[0]);
        for (const path of ['/api/whoami', '/api/visits']) {
          const reply = track('forged', await freshRequest(`${demo.url}${path}`, { cookie: forged }));
          expect(reply.status).toBe(200);
        }
        const refused = await freshRequest(`${demo.url}/api/login`, { body: { user: '' }, cookie: forged });
        expect(refused.status).toBe(400);
      }

      // kill -9 of a worker, then a rolling restart: sessions survive, and both are logged.
      const [victim] = await demo.workerPids();
      process.kill(victim, 'SIGKILL');
      const afterKill = await waitForNewWorkers(demo, [victim], 2);
      await useEverywhere();
      demo.process.signal('SIGHUP');
      await waitForNewWorkers(demo, afterKill, 2);
      await waitFor('the rolling restart to finish', () =>
        /Rolling restart done/.test(demo.process.output()) ? true : undefined,
      );
      await useEverywhere();

      // A store outage: the primary stops answering, a request that needs the session gets 503 and the worker logs it.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const annCookie = cookies.get('ann') as string;
        expect((await freshRequest(`${demo.url}/api/whoami`, { cookie: annCookie, agent })).json).toEqual({
          user: 'ann',
        });
        demo.process.signal('SIGSTOP');
        try {
          const during = await freshRequest(`${demo.url}/api/visits`, { cookie: annCookie, agent });
          expect(during.status).toBe(503);
        } finally {
          demo.process.signal('SIGCONT');
        }
        await sleep(100);
        const after = await freshRequest(`${demo.url}/api/whoami`, { cookie: annCookie, agent });
        expect(after.json).toEqual({ user: 'ann' });
      } finally {
        agent.destroy();
      }

      // Logouts; then the old cookies are replayed.
      for (const [user, cookie] of cookies) {
        const logout = track(
          `logout ${user}`,
          await freshRequest(`${demo.url}/api/logout`, { method: 'POST', cookie }),
        );
        expect(logout.status).toBe(200);
        expect((await freshRequest(`${demo.url}/api/whoami`, { cookie })).json).toEqual({ user: null });
      }
    } finally {
      await stopGracefully(demo);
      output = stripAnsi(demo.process.output());
    }

    // The capture holds what happened, so a leak would have been seen.
    for (const expected of [
      /demo ready/,
      /Ignored a session cookie \(bad-signature\)/,
      /Ignored a session cookie \(duplicate\)/,
      /exited unexpectedly \(code null, signal SIGKILL/,
      /SIGHUP received: rolling restart/,
      /Rolling restart done/,
      // The write fails (the read may come from the worker's copy of the session).
      /Session store (get|patch) failed .*ClusterTimeoutError/,
      /Session store answering again/,
      /SIGTERM received/,
    ]) {
      expect(output).toMatch(expected);
    }
    expect(leaks.leaksIn(output)).toEqual([]);
    await recordReliability(
      figuresOn(adapter, {
        'logs.bytesScanned': Buffer.byteLength(output),
        'logs.linesScanned': output.split('\n').length,
        'logs.valuesWatched': leaks.size,
        'logs.leaks': 0,
      }),
    );
  }, 90_000);

  it('the secret the primary generates when SESSION_SECRET is missing is not logged either', async () => {
    const demo = await startDemoCluster(1, { SESSION_SECRET: '', HTTP_ADAPTER: adapter });
    const leaks = new LeakDetector();
    let output = '';
    try {
      const [worker] = await demo.workerPids();
      const environ = (await readFile(`/proc/${worker}/environ`, 'latin1')).split('\0');
      const generated = environ
        .find((entry) => entry.startsWith('SESSION_SECRET='))
        ?.slice('SESSION_SECRET='.length);
      expect(generated).toMatch(/^[A-Za-z0-9_-]{64}$/);
      leaks.addSecret('generated SESSION_SECRET', generated as string);

      const login = await freshRequest(`${demo.url}/api/login`, { body: { user: 'ann' } });
      leaks.addCookie('login', login.sessionCookie);
      // The cookie is signed with the generated secret.
      const value = decodeURIComponent(cookieValue(login.sessionCookie));
      expect(sign(value.slice(0, value.lastIndexOf('.')), generated as string)).toBe(value);
      for (const forged of forgeries(login.sessionCookie as string)) {
        expect((await freshRequest(`${demo.url}/api/whoami`, { cookie: forged })).json).toEqual({
          user: null,
        });
      }
      await freshRequest(`${demo.url}/api/logout`, { method: 'POST', cookie: login.sessionCookie });
    } finally {
      await stopGracefully(demo);
      output = stripAnsi(demo.process.output());
    }
    expect(output).toMatch(/SESSION_SECRET is not set: using a random secret/);
    expect(leaks.leaksIn(output)).toEqual([]);
  }, 40_000);
});
