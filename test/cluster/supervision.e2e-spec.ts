/**
 * Behaviours 1–5 of the cluster issue: forking, readiness, respawn, crash-loop guard, ready
 * timeout. Every test forks a real cluster (the compiled fixture) and talks HTTP to it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture, isAlive } from './support/cluster-fixture.js';
import { http, pick } from './support/http-client.js';
import { waitFor } from '../support/processes.js';
import { expectOnTime } from '../support/timing.js';

/** A backoff long enough that one three times as long is outside the timing tolerance. */
const BACKOFF_MS = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('bootstrapCluster: supervision', () => {
  let fixture: ClusterFixture | undefined;

  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('uses only cluster.isPrimary / setupPrimary in its sources', () => {
    const files = sourceFiles(resolve(process.cwd(), 'libs/cluster/src'));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((file) => /\b(isMaster|setupMaster)\b/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('forks exactly N workers in slots 0..N-1, resolves once all are ready (after the factory, not on listening), serves HTTP only from workers', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '2', FIXTURE_READY_DELAY_MS: '300' });
    const boot = await fixture.bootstrapped();

    const forks = fixture.events('fork');
    expect(forks).toHaveLength(2);
    expect(forks.map((event) => event.slot).sort()).toEqual([0, 1]);
    expect(boot.hasApp).toBe(false); // no HTTP app in the primary
    expect(boot.workers).toEqual([
      expect.objectContaining({ slot: 0, state: 'ready' }),
      expect.objectContaining({ slot: 1, state: 'ready' }),
    ]);

    // Ready is signalled when worker() resolved, 300 ms after listen(): not Node's `listening`.
    const ready = fixture.events('ready');
    expect(ready).toHaveLength(2);
    for (const event of ready) {
      const listening = fixture.linesOf('listening', 'worker').find((line) => line.pid === event.pid);
      expect(listening).toBeDefined();
      expect(event.at - Number(listening?.at)).toBeGreaterThanOrEqual(250);
    }
    // The bootstrap promise resolved only after both ready events.
    const bootIndex = fixture.lines.indexOf(boot);
    const readyIndexes = fixture.lines
      .map((line, index) => (line.type === 'event' && pick(line, 'event.type') === 'ready' ? index : -1))
      .filter((index) => index >= 0);
    expect(readyIndexes).toHaveLength(2);
    expect(Math.max(...readyIndexes)).toBeLessThan(bootIndex);

    // HTTP is answered by the workers only; each knows its slot and N from the environment.
    const workerPids = new Set(forks.map((event) => event.pid));
    const answers = await Promise.all(Array.from({ length: 12 }, () => http(`${fixture?.url}/whoami`)));
    const pids = new Set(answers.map((answer) => Number(pick(answer.body, 'pid'))));
    expect([...pids].every((pid) => workerPids.has(pid))).toBe(true);
    expect(pids.has(fixture.pid)).toBe(false);
    expect(pids.size).toBe(2);
    for (const answer of answers) {
      expect(pick(answer.body, 'env.clustered')).toBe(true);
      expect(pick(answer.body, 'env.workers')).toBe(2);
      expect(pick(answer.body, 'env.slot')).toBe(pick(answer.body, 'self.slot'));
      expect(pick(answer.body, 'self.isPrimary')).toBe(false);
    }

    // Nobody touched cluster.isMaster / setupMaster at run time either.
    fixture.signal('SIGTERM');
    await fixture.waitForExit();
    const exits = fixture.linesOf('exit');
    expect(exits).toHaveLength(3);
    for (const exit of exits) expect(exit.deprecatedAccess).toBe(0);
  });

  it('replaces a worker that exits with a non-zero code or is killed with -9, in the same slot, after the backoff, with a new id', async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_RESTART: JSON.stringify({ initialDelayMs: BACKOFF_MS, maxDelayMs: BACKOFF_MS }),
    });
    await fixture.bootstrapped();
    const original = fixture.events('fork');

    // 1. non-zero exit code
    const crashed = await http(`${fixture.url}/crash?code=3`);
    const victim = original.find((event) => event.pid === pick(crashed.body, 'pid'));
    expect(victim).toBeDefined();
    const [exit] = await fixture.waitForEvent(
      'the crash exit',
      (e) => e.type === 'exit' && e.workerId === victim?.workerId,
    );
    expect(exit).toMatchObject({ code: 3, reason: 'crashed' });
    const [respawn] = await fixture.waitForEvent('a respawn', (e) => e.type === 'fork' && e.workerId > 2);
    expect(respawn?.slot).toBe(victim?.slot);
    expectOnTime('respawn after an exit', Number(respawn?.at) - Number(exit?.at), BACKOFF_MS);
    await fixture.waitForEvent(
      'the respawn ready',
      (e) => e.type === 'ready' && e.workerId === respawn?.workerId,
    );

    // 2. kill -9
    process.kill(Number(respawn?.pid), 'SIGKILL');
    const [killed] = await fixture.waitForEvent(
      'the kill exit',
      (e) => e.type === 'exit' && e.workerId === respawn?.workerId,
    );
    expect(killed).toMatchObject({ signal: 'SIGKILL', code: null, reason: 'crashed' });
    const [second] = await fixture.waitForEvent(
      'a second respawn',
      (e) => e.type === 'fork' && e.workerId > Number(respawn?.workerId),
    );
    expect(second?.slot).toBe(victim?.slot);
    expectOnTime('respawn after a kill', Number(second?.at) - Number(killed?.at), BACKOFF_MS);
    await fixture.waitForEvent(
      'the second respawn ready',
      (e) => e.type === 'ready' && e.workerId === second?.workerId,
    );

    // The other slot was never touched and the table is complete again.
    const table = await fixture.command('workers');
    expect(pick(table.value, 'workers')).toEqual([
      expect.objectContaining({ slot: 0, state: 'ready' }),
      expect.objectContaining({ slot: 1, state: 'ready' }),
    ]);
    expect(fixture.events('fork')).toHaveLength(4);
  });

  it('handle.events$ subscribed after bootstrapCluster() resolved still gets the start-up events (fork, online, ready of every slot), then live ones', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '2' });
    await fixture.bootstrapped();
    const started = fixture;
    const late = (): Array<{ type: string; slot: number; workerId: number }> =>
      started.linesOf('late-event', 'primary').map((line) => {
        const event = line.event as { type: string; slot: number; workerId: number };
        return { type: event.type, slot: event.slot, workerId: event.workerId };
      });
    await waitFor('the replayed start-up events', () => (late().length >= 6 ? true : undefined), 5_000);
    const early = fixture
      .events()
      .map((event) => ({ type: event.type, slot: event.slot, workerId: event.workerId }));
    // The same events, in the same order, as a subscriber from the very start saw.
    expect(late().slice(0, early.length)).toEqual(early);
    for (const slot of [0, 1]) {
      for (const type of ['fork', 'online', 'ready']) {
        expect(late()).toContainEqual(expect.objectContaining({ type, slot }));
      }
    }
    // Live events follow: a worker killed now shows up as exit and a new fork.
    const victim = fixture.events('ready')[0];
    process.kill(Number(victim?.pid), 'SIGKILL');
    await waitFor(
      'the live exit and respawn',
      () => (late().filter((e) => e.type === 'fork').length === 3 ? true : undefined),
      10_000,
    );
    expect(late()).toContainEqual(expect.objectContaining({ type: 'exit', workerId: victim?.workerId }));
  });

  it('crash-loop guard: a slot failing more than maxRestarts times within windowMs is given up with a crash-loop event and an error log', async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_FAIL_START: '1',
      FIXTURE_RESTART: JSON.stringify({
        initialDelayMs: 20,
        maxDelayMs: 40,
        maxRestarts: 2,
        windowMs: 30_000,
      }),
    });
    const [loop] = await fixture.waitForEvent('a crash-loop event', (e) => e.type === 'crash-loop');
    expect(loop).toMatchObject({ slot: 1, failures: 3, windowMs: 30_000 });
    await fixture.bootstrapped(); // slot 0 is ready: the cluster runs degraded
    expect(fixture.events('fork').filter((event) => event.slot === 1)).toHaveLength(3);
    // The error log comes on stderr, the event on stdout: the two pipes are not ordered.
    const started = fixture;
    await waitFor(
      'the crash-loop error log',
      () => (started.output.some((line) => line.includes('Slot 1 is in a crash loop')) ? true : undefined),
      2_000,
    );

    // No respawn is scheduled for the dead slot; the primary keeps serving through slot 0.
    const answer = await http(`${fixture.url}/whoami`);
    expect(answer.status).toBe(200);
    expect(pick(answer.body, 'self.slot')).toBe(0);
    expect(isAlive(fixture.pid)).toBe(true);
    expect(fixture.events('fork').filter((event) => event.slot === 1)).toHaveLength(3);
  });

  it('exits the primary with code 1 when every slot is in a crash loop', async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_FAIL_START: 'all',
      FIXTURE_RESTART: JSON.stringify({
        initialDelayMs: 20,
        maxDelayMs: 40,
        maxRestarts: 1,
        windowMs: 30_000,
      }),
    });
    const exit = await fixture.waitForExit(20_000);
    expect(exit.code).toBe(1);
    expect(
      fixture
        .events('crash-loop')
        .map((event) => event.slot)
        .sort(),
    ).toEqual([0, 1]);
    expect(fixture.linesOf('bootstrapped')).toHaveLength(0);
    expect(fixture.output.some((line) => line.includes('All 2 worker slot(s) are in a crash loop'))).toBe(
      true,
    );
  });

  it('kills a worker that is not ready within readyTimeoutMs and counts it as a failed start', async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '1',
      FIXTURE_HANG_START: 'all',
      FIXTURE_READY_TIMEOUT_MS: '500',
      FIXTURE_RESTART: JSON.stringify({
        initialDelayMs: 20,
        maxDelayMs: 20,
        maxRestarts: 1,
        windowMs: 30_000,
      }),
    });
    const exit = await fixture.waitForExit(20_000);
    const exits = fixture.events('exit');
    expect(exits).toHaveLength(2);
    for (const event of exits) {
      expect(event).toMatchObject({ reason: 'ready-timeout', signal: 'SIGKILL' });
      const fork = fixture.events('fork').find((candidate) => candidate.workerId === event.workerId);
      expectOnTime('ready timeout', event.at - Number(fork?.at), 500);
    }
    expect(fixture.events('ready')).toHaveLength(0);
    // Two failed starts with maxRestarts 1 is a crash loop: the single slot is dead, the primary exits non-zero.
    expect(fixture.events('crash-loop')).toHaveLength(1);
    expect(exit.code).toBe(1);
  });
});
