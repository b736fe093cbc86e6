/**
 * The session file under real file-system faults, through the compiled demo (WORKERS=2) and real
 * files: a read-only place, a damaged, newer or foreign file (each stops the cluster at once, with
 * its error as the last line, and is left as it was), a last write cut short (recovered), a
 * second cluster on a file in use (refused), and a disk that fills up at run time (503s, then
 * writes again once there is room). Read-only and full places are tmpfs mounts (we run as root),
 * always unmounted.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoCluster, type DemoCluster } from '../support/demo-cluster.js';
import { demoDevices } from '../support/demo-devices.js';
import { writeDemoSessionFile, type DemoSessionFile } from '../support/demo-session-file.js';
import { exitWithin } from '../support/exit-within.js';
import { startDemoExpectingExit, withoutColours, type FailedStart } from '../support/failed-start.js';
import { freshRequest } from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import { framesOf, sessionIdOf, setFrameOf, sha256Of } from '../support/session-file.js';
import { fillDisk, mountTmpfs, type TmpfsMount } from '../support/tmpfs.js';
import { isGone } from '../support/whole-cluster-kill.js';

const WORKERS = 2;
/** A start that cannot succeed must end within this long. */
const FATAL_WITHIN_MS = 15_000;
/** How long a start that must fail is waited for (past the bound, so that a slow exit shows its time). */
const WAIT_FOR_EXIT_MS = FATAL_WITHIN_MS + 5_000;

let work = '';
let real: DemoSessionFile;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'nest-hive-file-faults-'));
  real = await writeDemoSessionFile(join(work, 'real', 'sessions.db'), WORKERS, 6);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh directory holding `content` as its `sessions.db`: the file's path. */
function placeFile(name: string, content: Buffer): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'sessions.db'), content);
  return join(dir, 'sessions.db');
}

/** The start stopped the whole cluster in time, with exit code 1, its error last, and no crash loop. */
function expectStopped(start: FailedStart, db: string, reason: string): void {
  expect({ code: start.code, lastLine: start.lastLine }).toEqual({
    code: 1,
    lastLine: expect.stringContaining(`cannot start: Session file ${db}: ${reason}`),
  });
  expect(start.ms).toBeLessThan(FATAL_WITHIN_MS);
  expect(start.lastLine).toContain('The cluster stops: fix it and start again.');
  expect(start.appStarts).toBeLessThanOrEqual(2 * WORKERS);
}

describe('a read-only place for SESSION_DB', () => {
  let disk: TmpfsMount | undefined;
  afterAll(() => disk?.unmount());

  it('stops the demo (WORKERS=2) with exit code 1 within 15 s, naming the file and that it cannot write', async () => {
    disk = mountTmpfs({ sizeKiB: 64, readOnly: true });
    const db = join(disk.dir, 'sessions.db');
    const start = await startDemoExpectingExit(db, WORKERS, WAIT_FOR_EXIT_MS);
    expectStopped(start, db, 'cannot write');
    expect(start.lastLine).toContain('(EROFS)');
    await recordReliability({
      'fileFaults.readOnlyExitMs': start.ms,
      'fileFaults.readOnlyAppStarts': start.appStarts,
    });
  }, 40_000);
});

describe('a damaged, newer or foreign file stops the start and is left byte for byte as it was', () => {
  const middleFrame = () => framesOf(real.content)[Math.floor(framesOf(real.content).length / 2)];
  const cases: Array<[string, () => Buffer, () => string]> = [
    [
      'a byte flipped in the middle of the file (not the tail)',
      () => {
        const damaged = Buffer.from(real.content);
        const frame = middleFrame();
        damaged[frame.payloadOffset + Math.floor(frame.length / 2)] ^= 0x20;
        return damaged;
      },
      () => `it is damaged at byte ${middleFrame().offset} (a checksum does not match)`,
    ],
    [
      'a newer format (header "nest-hive sessions 2")',
      () => Buffer.concat([Buffer.from('nest-hive sessions 2\n'), real.content.subarray(21)]),
      () => 'it was written by a newer @nest-hive/session (format 2; this one reads up to 1)',
    ],
    [
      'a foreign file (an SQLite database)',
      () => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4080, 0x01)]),
      () => 'it is not a nest-hive session file',
    ],
  ];

  it.each(cases)(
    '%s',
    async (name, make, reason) => {
      expect(real.content.subarray(0, 21).toString()).toBe('nest-hive sessions 1\n');
      const db = placeFile(name.replace(/\W+/g, '-'), make());
      const before = sha256Of(db);
      const start = await startDemoExpectingExit(db, WORKERS, WAIT_FOR_EXIT_MS);
      expectStopped(start, db, reason());
      expect(sha256Of(db)).toBe(before);
      // Nothing left behind: no lock to block the next start, no unfinished compaction.
      expect(readdirSync(join(db, '..'))).toEqual(['sessions.db']);
      await recordReliability({ [`fileFaults.exitMs.${name.split(' ')[1]}`]: start.ms });
    },
    40_000,
  );
});

describe('a last write cut short, then a second cluster on the same file', () => {
  let demo: DemoCluster | undefined;
  let db = '';
  afterAll(() => demo?.stop());

  it('starts, warns that it dropped the cut tail, and keeps every earlier session', async () => {
    // A crash while appending leaves a prefix of the file: here one that ends 3 bytes short of the
    // end of the last device's last visit (only index renewals, if any, came after it).
    const frames = framesOf(real.content);
    const lastDevice = real.devices.length - 1;
    const lastVisit = frames.findLast(
      (f) => setFrameOf(f)?.id === sessionIdOf(real.devices[lastDevice].cookie),
    );
    if (!lastVisit) throw new Error('no write of the last device in the file');
    expect(setFrameOf(lastVisit)?.data).toMatchObject({ visits: real.visits[lastDevice] });
    const cutBytes = 8 + lastVisit.length - 3;
    db = placeFile('cut', real.content.subarray(0, lastVisit.offset + cutBytes));
    demo = await startDemoCluster(WORKERS, { SESSION_DB: db });
    const output = withoutColours(demo.process.output());
    expect(output).toContain(`Session file ${db}: dropped the last ${cutBytes} bytes`);
    const { me, visit } = demoDevices(() => (demo as DemoCluster).url);
    for (const [i, device] of real.devices.entries()) {
      const stored = i === lastDevice ? real.visits[i] - 1 : real.visits[i];
      expect({ device: i, me: await me(device), visits: await visit(device) }).toEqual({
        device: i,
        me: 200,
        visits: stored + 1,
      });
    }
    // The cut tail went before anything was appended: the file reads as whole, checked frames.
    const now = readFileSync(db);
    expect(now.subarray(0, lastVisit.offset).equals(real.content.subarray(0, lastVisit.offset))).toBe(true);
    expect(framesOf(now).length).toBeGreaterThan(frames.indexOf(lastVisit) + real.devices.length);
  }, 40_000);

  it('refuses a second cluster while the first runs ("in use by process …"); the first keeps serving', async () => {
    if (!demo) throw new Error('needs the cluster of the test before');
    const first = demo;
    const lock = readFileSync(`${db}.lock`, 'utf8');
    const second = await startDemoExpectingExit(db, WORKERS, WAIT_FOR_EXIT_MS);
    expectStopped(second, db, `it is in use by process ${first.process.child.pid} on ${hostname()}`);
    expect(readFileSync(`${db}.lock`, 'utf8')).toBe(lock);
    const health = await freshRequest(`${first.url}/health`);
    expect(health.status).toBe(200);
    const { me, visit } = demoDevices(() => first.url);
    for (const device of real.devices) expect(await me(device)).toBe(200);
    const before = await visit(real.devices[0]);
    expect(await visit(real.devices[0])).toBe(before + 1);
    await recordReliability({ 'fileFaults.lockedExitMs': second.ms });
  }, 40_000);
});

describe('a full disk at run time (SESSION_DB on a 1 MiB tmpfs)', () => {
  let disk: TmpfsMount | undefined;
  let demo: DemoCluster | undefined;
  afterAll(async () => {
    await demo?.stop();
    disk?.unmount();
  });

  it('answers 503 to writes, reports the store down, recovers once there is room, and keeps what it acknowledged', async () => {
    disk = mountTmpfs({ sizeKiB: 1024 });
    const db = join(disk.dir, 'sessions.db');
    const running = await startDemoCluster(WORKERS, { SESSION_DB: db });
    demo = running;
    const { login, visit } = demoDevices(() => (demo as DemoCluster).url);
    const devices = [await login('full0', 'Disk/0'), await login('full1', 'Disk/1')];
    for (const device of devices) expect(await visit(device)).toBe(1);
    const pids = [running.process.child.pid, ...(await running.workerPids())];

    const filler = join(disk.dir, 'filler');
    fillDisk(filler);
    // The file's last page may still take a few frames: write until a write fails (bounded).
    const statuses: number[] = [];
    let slowestMs = 0;
    for (let n = 0; n < 200 && statuses.at(-1) !== 503; n++) {
      const sent = Date.now();
      const reply = await freshRequest(`${running.url}/api/visits`, {
        cookie: devices[0].cookie,
        timeoutMs: 5_000,
      });
      slowestMs = Math.max(slowestMs, Date.now() - sent);
      statuses.push(reply.status);
    }
    expect(statuses.at(-1)).toBe(503);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    // While it stays full: every write and a new login get a 503 at once, /health says why.
    const login503 = await freshRequest(`${running.url}/api/login`, {
      body: { user: 'late' },
      timeoutMs: 5_000,
    });
    expect(login503.status).toBe(503);
    const sent = Date.now();
    expect((await freshRequest(`${running.url}/api/visits`, { cookie: devices[1].cookie })).status).toBe(503);
    slowestMs = Math.max(slowestMs, Date.now() - sent);
    expect(slowestMs).toBeLessThan(3_000);
    const health = await freshRequest(`${running.url}/health`);
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ error: { sessionStore: { status: 'down' } } });
    expect(health.body).toContain('ENOSPC');
    // No crash: the same primary and workers serve.
    expect(pids.filter((pid) => pid === undefined || isGone(pid))).toEqual([]);
    expect((await running.workerPids()).sort()).toEqual(pids.slice(1).sort());

    unlinkSync(filler);
    const recovered = Date.now();
    await waitFor('/health to be ok again', async () =>
      (await freshRequest(`${running.url}/health`)).status === 200 ? true : undefined,
    );
    const recoveryMs = Date.now() - recovered;
    const acked = [await visit(devices[0]), await visit(devices[1])];

    running.process.signal('SIGTERM');
    expect((await exitWithin(running.process, 15_000)).code).toBe(0);
    demo = await startDemoCluster(WORKERS, { SESSION_DB: db });
    expect(await visit(devices[0])).toBe(acked[0] + 1);
    expect(await visit(devices[1])).toBe(acked[1] + 1);
    await recordReliability({
      'fileFaults.fullDiskWritesBefore503': statuses.length - 1,
      'fileFaults.full503SlowestMs': slowestMs,
      'fileFaults.fullRecoveryMs': recoveryMs,
    });
  }, 60_000);
});
