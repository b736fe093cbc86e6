import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionError } from '../../session.errors.js';
import { FileSessionStore } from './file-session.store.js';
import { JOURNAL_HEADER, encodeFrame } from './journal-format.js';
import { SessionFileError } from './session-file.errors.js';

const DAY = 86_400_000;
const record = (data: Record<string, unknown>, createdAt = 1_000) => ({ data, createdAt });
const entry = (sessionId: string, handle: string) => ({
  handle,
  sessionId,
  createdAt: 1,
  lastSeenAt: 2,
  expiresAt: Date.now() + DAY,
  userAgent: 'jest',
});

describe('FileSessionStore', () => {
  let dir: string;
  let path: string;
  const open: FileSessionStore[] = [];
  const store = (options: Partial<ConstructorParameters<typeof FileSessionStore>[0]> = {}) => {
    const created = new FileSessionStore({ path, sweepIntervalMs: 0, ...options });
    open.push(created);
    return created;
  };
  const reopen = async (current: FileSessionStore) => {
    await current.close();
    return store();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nest-hive-file-store-'));
    path = join(dir, 'nested', 'sessions.db');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((created) => created.close().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps sets, patches, touches and destroys across a reopen', async () => {
    let sessions = store();
    await sessions.set('a', { ...record({ user: 'ann', n: 1 }), cookie: { maxAge: 5_000 } }, DAY);
    await sessions.set('b', record({ user: 'bob' }), DAY);
    await sessions.set('c', record({ user: 'cid' }), DAY);
    expect(await sessions.patch('a', { set: { n: 2, extra: true }, unset: ['user'] }, DAY)).toBe(true);
    expect(await sessions.patch('missing', { set: { n: 1 }, unset: [] }, DAY)).toBe(false);
    await sessions.touch('b', 2 * DAY);
    await sessions.destroy('c');
    sessions = await reopen(sessions);
    const a = await sessions.get('a');
    expect(a).toMatchObject({ data: { n: 2, extra: true }, createdAt: 1_000, cookie: { maxAge: 5_000 } });
    expect(a?.data).not.toHaveProperty('user');
    expect((await sessions.get('b'))?.expiresAt).toBeGreaterThan(Date.now() + 1.5 * DAY);
    expect(await sessions.get('c')).toBeUndefined();
    expect(await sessions.length()).toBe(2);
  });

  it('keeps the per-user index, and an entry goes with its session', async () => {
    let sessions = store();
    await sessions.set('s1', record({}), DAY);
    await sessions.set('s2', record({}), DAY);
    await sessions.userIndex.add('ann', entry('s1', 'h1'));
    await sessions.userIndex.add('ann', entry('s2', 'h2'));
    await sessions.userIndex.seen('ann', 'h2', 99, Date.now() + DAY);
    await sessions.destroy('s1');
    sessions = await reopen(sessions);
    expect(await sessions.userIndex.list('ann')).toEqual([
      { ...entry('s2', 'h2'), lastSeenAt: 99, expiresAt: expect.any(Number) },
    ]);
    await sessions.userIndex.remove('ann', ['h2']);
    sessions = await reopen(sessions);
    expect(await sessions.userIndex.list('ann')).toEqual([]);
  });

  it('replays a touch that extended a session whose first expiry has passed by the time of the replay', async () => {
    let sessions = store();
    await sessions.set('extended', record({ kept: true }), 40);
    await sessions.touch('extended', DAY);
    await new Promise((resolve) => setTimeout(resolve, 60));
    sessions = await reopen(sessions);
    expect((await sessions.get('extended'))?.data).toEqual({ kept: true });
  });

  it('forgets expired sessions at replay, and a clear', async () => {
    let sessions = store();
    await sessions.set('short', record({}), 30);
    await sessions.set('long', record({}), DAY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    sessions = await reopen(sessions);
    expect(await sessions.get('short')).toBeUndefined();
    expect(await sessions.get('long')).toBeDefined();
    await sessions.clear();
    sessions = await reopen(sessions);
    expect(await sessions.length()).toBe(0);
  });

  it('compacts the file in steps and replays the same state from it', async () => {
    let sessions = store({ compactAfterBytes: 4_096 });
    const padding = 'x'.repeat(200);
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) => sessions.set(`s${i}`, record({ round, padding }), DAY)),
      );
    }
    await sessions.destroy('s0');
    await sessions.userIndex.add('ann', entry('s1', 'h1'));
    // The last compaction finishes in the background, between writes.
    for (let i = 0; i < 50 && statSync(path).size > 20_000; i++) await sessions.touch('s1', DAY);
    expect(statSync(path).size).toBeLessThan(20_000);
    sessions = await reopen(sessions);
    expect(await sessions.length()).toBe(24);
    expect((await sessions.get('s7'))?.data).toEqual({ round: 39, padding });
    expect(await sessions.userIndex.list('ann')).toHaveLength(1);
  });

  it('drops a last write cut short by a crash, with a warning, and appends after the good frames', async () => {
    let sessions = store();
    await sessions.set('kept', record({ v: 1 }), DAY);
    await sessions.close();
    const cut = encodeFrame({
      kind: 'set',
      id: 'cut',
      state: { json: '{}', createdAt: 1, expiresAt: Date.now() + DAY, maxAge: undefined },
    });
    appendFileSync(path, cut.subarray(0, cut.length - 3));
    sessions = store();
    expect(await sessions.get('cut')).toBeUndefined();
    expect(await sessions.get('kept')).toBeDefined();
    await sessions.set('after', record({}), DAY);
    sessions = await reopen(sessions);
    expect(await sessions.get('after')).toBeDefined();
  });

  it('refuses a file damaged before its end, naming the byte and the fix', async () => {
    const sessions = store();
    await sessions.set('one', record({ v: 'aaaa' }), DAY);
    await sessions.set('two', record({ v: 'bbbb' }), DAY);
    await sessions.close();
    const bytes = readFileSync(path);
    bytes[JOURNAL_HEADER.length + 12] ^= 0xff;
    writeFileSync(path, bytes);
    const error = await store()
      .get('one')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionFileError);
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ problem: 'corrupt' });
    expect((error as Error).message).toMatch(/damaged at byte \d+.*move it aside/);
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('refuses a file whose frame length is damaged before its end (no later frame is dropped as a cut tail)', async () => {
    const sessions = store();
    for (let i = 0; i < 10; i++) await sessions.set(`s${i}`, record({ i }), DAY);
    await sessions.close();
    const bytes = readFileSync(path);
    // The fourth frame's length grows by 256: the replay would look for the next frame past it.
    let offset = JOURNAL_HEADER.length;
    for (let frame = 0; frame < 3; frame++) offset += 8 + bytes.readUInt32LE(offset);
    bytes[offset + 1] ^= 0x01;
    writeFileSync(path, bytes);
    await expect(store().open()).rejects.toMatchObject({ problem: 'corrupt' });
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('refuses a file of a newer format, and a foreign file, without touching them', async () => {
    writeFileSync(path.replace('nested/', ''), 'nest-hive sessions 2\n');
    const newer = new FileSessionStore({ path: path.replace('nested/', '') });
    open.push(newer);
    await expect(newer.open()).rejects.toMatchObject({
      problem: 'newer-format',
      message: expect.stringMatching(/Upgrade/),
    });
    const foreignPath = join(dir, 'notes.txt');
    writeFileSync(foreignPath, 'hello\n');
    const foreign = new FileSessionStore({ path: foreignPath });
    open.push(foreign);
    await expect(foreign.open()).rejects.toMatchObject({ problem: 'foreign' });
    expect(readFileSync(foreignPath, 'utf8')).toBe('hello\n');
  });

  it('treats a header cut short as a file never finished, and starts it anew', async () => {
    writeFileSync(join(dir, 'half.db'), JOURNAL_HEADER.subarray(0, 5));
    const sessions = new FileSessionStore({ path: join(dir, 'half.db') });
    open.push(sessions);
    await sessions.set('x', record({}), DAY);
    expect(readFileSync(join(dir, 'half.db')).subarray(0, JOURNAL_HEADER.length)).toEqual(JOURNAL_HEADER);
  });

  it('lets one store at a time hold a file', async () => {
    const first = store();
    await first.open();
    await expect(store().open()).rejects.toMatchObject({ problem: 'locked' });
    await first.close();
    const second = store();
    await expect(second.open()).resolves.toBeUndefined();
  });

  it('takes over the lock of a process that is gone', async () => {
    const lockPath = `${path}.lock`;
    const sessions = store();
    await sessions.open();
    await sessions.close();
    writeFileSync(lockPath, JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname() }));
    await expect(store().open()).resolves.toBeUndefined();
  });

  it('sweeps many expired sessions in steps, leaving the event loop free between them', async () => {
    const sessions = store();
    await Promise.all(Array.from({ length: 9_000 }, (_, i) => sessions.set(`gone${i}`, record({}), 30)));
    await Promise.all(Array.from({ length: 100 }, (_, i) => sessions.set(`kept${i}`, record({}), DAY)));
    await new Promise((resolve) => setTimeout(resolve, 60));
    let turnBetweenSteps = false;
    setImmediate(() => (turnBetweenSteps = true));
    await sessions.sweep();
    expect(turnBetweenSteps).toBe(true);
    expect(await sessions.length()).toBe(100);
  });

  it('checks its options at construction', () => {
    expect(() => new FileSessionStore({ path: '' })).toThrow(/`path`/);
    expect(() => new FileSessionStore({ path, durability: 'never' as 'sync' })).toThrow(/`durability`/);
    expect(() => new FileSessionStore({ path, compactAfterBytes: 0 })).toThrow(/`compactAfterBytes`/);
  });

  it('writes a file whose tail can be truncated anywhere and still opens', async () => {
    const sessions = store({ durability: 'sync' });
    for (let i = 0; i < 10; i++) await sessions.set(`k${i}`, record({ i }), DAY);
    await sessions.close();
    const whole = readFileSync(path);
    for (let cut = whole.length - 1; cut > whole.length - 40; cut -= 3) {
      writeFileSync(path, whole.subarray(0, cut));
      const reopened = store();
      expect(await reopened.length()).toBe(9);
      await reopened.close();
    }
    // A tail the file system extended with zeros but never filled (a power cut).
    writeFileSync(path, whole);
    truncateSync(path, whole.length + 4_096);
    const reopened = store();
    expect(await reopened.length()).toBe(10);
    await reopened.set('after', record({}), DAY);
    await reopened.close();
    expect(await store().length()).toBe(11);
  });
});
