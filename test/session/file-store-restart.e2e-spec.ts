/**
 * The session file under real restarts: a graceful full restart of the demo (WORKERS=2) keeps
 * every session, its data, the per-user index and every logout; `kill -9` of every process in the
 * middle of a write load loses no acknowledged write (the demo, durability 'flush', its default;
 * a fixture app with durability 'sync', which the demo has no setting for), and the keys two
 * requests racing on one session wrote both survive (the fixture: no demo route writes a second
 * key into a session without regenerating it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CounterClient } from '../support/counter-load.js';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { exitWithin } from '../support/exit-within.js';
import {
  demoSession,
  demoVisits,
  fixtureCounter,
  fixtureSession,
  startFileStoreFixture,
} from '../support/file-store-apps.js';
import { freshRequest } from '../support/fresh-http.js';
import { fuzzSeed } from '../support/fuzz-seed.js';
import { interleavedDifferentKeys, sessionGet } from '../support/interleaved-writes.js';
import { killRounds, seededRandom, type KillRound, type ServingCluster } from '../support/kill-rounds.js';
import { LatchServer } from '../support/latch-server.js';
import { recordReliability } from '../support/reliability-record.js';
import { isGone } from '../support/whole-cluster-kill.js';
import { demoDevices, type DemoDevice } from '../support/demo-devices.js';

const WORKERS = 2;
const KILL_ROUNDS = 3;
const WRITERS = 6;

/** A temp dir per describe for its session file, removed after. */
function sessionDir(): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nest-hive-file-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => join(dir, 'sessions.db');
}

/** Every client's stored counter is at least its last acknowledged value and a value it sent. */
function expectNothingAcknowledgedLost(rounds: readonly KillRound[]): void {
  expect(rounds).toHaveLength(KILL_ROUNDS);
  for (const [i, round] of rounds.entries()) {
    expect({ round: i + 1, failuresBeforeKill: round.failuresBeforeKill }).toEqual({
      round: i + 1,
      failuresBeforeKill: [],
    });
    const wrong = round.clients.filter((c) => c.stored < c.acked || c.stored > c.sent);
    expect({ round: i + 1, wrong }).toEqual({ round: i + 1, wrong: [] });
    expect(round.ackedWrites).toBeGreaterThanOrEqual(WRITERS * 3);
    // The file opened: no session-file error, whatever the kill interrupted.
    expect(round.restartOutput).not.toMatch(/SessionFileError|damaged|cannot start/);
  }
}

/** The figures of the kill rounds, for test/artifacts/reliability.json. */
function killFigures(prefix: string, rounds: readonly KillRound[]): Record<string, string | number> {
  return {
    [`${prefix}.rounds`]: rounds.length,
    [`${prefix}.ackedPerRound`]: rounds.map((r) => r.ackedWrites).join('/'),
    [`${prefix}.killAfterMs`]: rounds.map((r) => r.extraMs).join('/'),
    [`${prefix}.lostAcknowledged`]: rounds.flatMap((r) => r.clients.filter((c) => c.stored < c.acked)).length,
    [`${prefix}.inFlightKept`]: rounds.flatMap((r) => r.clients.filter((c) => c.stored > c.acked)).length,
    [`${prefix}.tailsDropped`]: rounds.filter((r) => /dropped the last/.test(r.restartOutput)).length,
    [`${prefix}.restartMs`]: rounds.map((r) => r.restartMs).join('/'),
  };
}

describe('the demo (WORKERS=2, durability flush, its default) on one session file; the tests run in order', () => {
  const db = sessionDir();
  let demo: DemoCluster | undefined;
  afterAll(() => demo?.stop());
  /** The logged-in devices of the first test, checked again after the kills. */
  const devices: DemoDevice[] = [];

  it('keeps 24 logged-in sessions with their data and their users’ session lists; logouts stay logouts', async () => {
    const first = await startDemoCluster(WORKERS, { SESSION_DB: db() });
    demo = first;
    const { login, visit, me, list } = demoDevices(() => (demo as DemoCluster).url);
    // 20 users (four with a second device), each device with 1 to 4 visits counted in its session.
    for (let i = 0; i < 20; i++) devices.push(await login(`user${i}`, `Phone/${i}`));
    for (let i = 0; i < 4; i++) devices.push(await login(`user${i}`, `Laptop/${i}`));
    const visits = new Map<DemoDevice, number>();
    for (const [i, device] of devices.entries()) {
      for (let n = 1; n <= (i % 4) + 1; n++) expect(await visit(device)).toBe(n);
      visits.set(device, (i % 4) + 1);
    }
    const listed = new Map<string, string[]>();
    for (const device of devices) listed.set(device.user, (await list(device)).sort());
    expect(listed.size).toBe(20);
    expect(listed.get('user0')).toHaveLength(2);
    expect(listed.get('user19')).toHaveLength(1);
    // Logouts: Passport's (the session ends; the user's other device stays) and the plain one.
    const leaving = await login('leaver', 'Old/1');
    const staying = await login('leaver', 'New/1');
    expect(
      (await freshRequest(`${first.url}/api/auth/logout`, { method: 'POST', cookie: leaving.cookie })).status,
    ).toBe(200);
    const plain = await demoSession(first.url, 'plain-user');
    expect((await freshRequest(`${first.url}/api/logout`, { method: 'POST', cookie: plain })).status).toBe(
      200,
    );
    expect(await me(leaving)).toBe(401);
    expect(await list(staying)).toHaveLength(1);

    const workerPids = await first.workerPids();
    const stopping = Date.now();
    first.process.signal('SIGTERM');
    const exit = await exitWithin(first.process, 15_000, stopping);
    expect(exit.code).toBe(0);
    expect(workerPids.filter((pid) => !isGone(pid))).toEqual([]);

    const starting = Date.now();
    demo = await startDemoCluster(WORKERS, { SESSION_DB: db() });
    const restartMs = Date.now() - starting;
    for (const device of devices) {
      expect({ user: device.user, me: await me(device) }).toEqual({ user: device.user, me: 200 });
      expect({ user: device.user, visits: await visit(device) }).toEqual({
        user: device.user,
        visits: (visits.get(device) ?? 0) + 1,
      });
      expect({ user: device.user, sessions: (await list(device)).sort() }).toEqual({
        user: device.user,
        sessions: listed.get(device.user),
      });
    }
    expect(await me(leaving)).toBe(401);
    expect(await list(staying)).toHaveLength(1);
    const whoami = await freshRequest(`${demo.url}/api/whoami`, { cookie: plain });
    expect(whoami.json).toEqual({ user: null });
    await recordReliability({
      'fileStore.gracefulSessions': devices.length,
      'fileStore.gracefulShutdownMs': exit.ms,
      'fileStore.gracefulRestartMs': restartMs,
    });
  }, 90_000);

  it(`loses no acknowledged write in ${KILL_ROUNDS} rounds at random moments, and the file always opens`, async () => {
    if (!demo) throw new Error('needs the demo of the test before');
    const first = demo;
    const start = async () => (demo = await startDemoCluster(WORKERS, { SESSION_DB: db() }));
    const clients: CounterClient[] = [];
    for (let i = 0; i < WRITERS; i++) {
      clients.push({
        cookie: await demoSession(first.url, `writer${i}`),
        acked: 0,
        sent: 0,
        ackedThisLoad: 0,
      });
    }
    const { rounds } = await killRounds({
      first,
      restart: start,
      routeFor: demoVisits,
      clients,
      rounds: KILL_ROUNDS,
      workers: WORKERS,
      minAcksBeforeKill: 3,
      maxExtraMs: 500,
      random: seededRandom(fuzzSeed('demo kill -9 rounds')),
    });
    await recordReliability(killFigures('fileStore.demoKill', rounds));
    expectNothingAcknowledgedLost(rounds);
    // The sessions of the graceful restart are all there still.
    const { me } = demoDevices(() => (demo as DemoCluster).url);
    for (const device of devices)
      expect({ user: device.user, me: await me(device) }).toMatchObject({ me: 200 });
  }, 120_000);
});

describe("durability 'sync' (a fixture app: the demo has no setting for it)", () => {
  const db = sessionDir();
  let current: ServingCluster | undefined;
  let latches: LatchServer | undefined;
  afterAll(async () => {
    await latches?.close();
    await current?.process.stop();
  });
  const start = async () =>
    (current = await startFileStoreFixture({ db: db(), durability: 'sync', workers: WORKERS }));

  it('keeps both keys two requests racing on one session wrote, and every acknowledged write, through kill -9 rounds', async () => {
    const first = await start();
    latches = await LatchServer.start();
    const get = (path: string, cookie: string) => sessionGet(first.url)(path, cookie);
    const racing = (await freshRequest(`${first.url}/probe/write?k=user&v=ann`)).sessionCookie ?? '';
    expect((await get('/probe/write?k=x&v=one', racing)).status).toBe(200);
    // A loads and waits; B loads, writes x and saves; then A writes user and saves: a per-key patch each.
    await interleavedDifferentKeys(get, racing, latches);

    const clients: CounterClient[] = [];
    for (let i = 0; i < WRITERS; i++) {
      clients.push({ cookie: await fixtureSession(first.url), acked: 0, sent: 0, ackedThisLoad: 0 });
    }
    const { rounds, last } = await killRounds({
      first,
      restart: start,
      routeFor: fixtureCounter,
      clients,
      rounds: KILL_ROUNDS,
      workers: WORKERS,
      minAcksBeforeKill: 3,
      maxExtraMs: 500,
      random: seededRandom(fuzzSeed('sync kill -9 rounds')),
    });
    await recordReliability(killFigures('fileStore.syncKill', rounds));
    expectNothingAcknowledgedLost(rounds);
    const after = await freshRequest(`${last.url}/probe/read`, { cookie: racing });
    expect(after.json).toMatchObject({ data: { user: 'bob', x: 'two' } });
  }, 120_000);
});
