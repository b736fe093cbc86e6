/**
 * Behaviour 7: the reload signal (and rollingRestart() from code) replaces the workers one slot
 * at a time with zero downtime, keep-alive clients included.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import autocannon from 'autocannon';
import { HTTP_ADAPTERS } from '../support/http-adapters.js';
import { ClusterFixture, type ReportedEvent, until } from './support/cluster-fixture.js';
import { http, pick, pickList } from './support/http-client.js';

interface LoadResult {
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly total: number;
}

/** Keep-alive load (autocannon, pipelining 1) until stopped. */
function keepAliveLoad(url: string): { stop(): Promise<LoadResult> } {
  let finish: (result: LoadResult) => void = () => undefined;
  const done = new Promise<LoadResult>((resolve) => (finish = resolve));
  const instance = autocannon({ url, connections: 6, duration: 60 }, (error, result) => {
    if (error) throw error;
    finish({
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      total: result.requests.total,
    });
  });
  return {
    stop: () => {
      instance.stop();
      return done;
    },
  };
}

/** A client loop of sequential requests over one keep-alive connection (fetch pools connections). */
function clientLoop(url: string): {
  readonly ok: () => number;
  readonly pids: Set<number>;
  stop(): Promise<string[]>;
} {
  const failures: string[] = [];
  const pids = new Set<number>();
  let ok = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(url);
        const body: unknown = await response.json();
        if (response.status === 200) {
          ok += 1;
          pids.add(Number(pick(body, 'pid')));
        } else failures.push(`status ${response.status}`);
      } catch (error) {
        failures.push(String(error instanceof Error ? (error.cause ?? error) : error));
      }
    }
  })();
  return {
    ok: () => ok,
    pids,
    stop: async () => {
      running = false;
      await loop;
      return failures;
    },
  };
}

describe('bootstrapCluster: rolling restart', () => {
  let fixture: ClusterFixture | undefined;
  let marker: string | undefined;

  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
    if (marker) rmSync(marker, { force: true });
    marker = undefined;
  });

  it.each(HTTP_ADAPTERS)(
    'SIGHUP (%s): fork, ready, then stop the old worker, slot by slot, while a request loop and a keep-alive load see zero failures',
    async (adapter) => {
      fixture = await ClusterFixture.start({
        FIXTURE_WORKERS: '2',
        FIXTURE_IDLE_GRACE_MS: '500',
        FIXTURE_HTTP_ADAPTER: adapter,
      });
      await fixture.bootstrapped();
      const old = fixture.events('fork');
      const oldIds = old.map((event) => event.workerId);

      const loop = clientLoop(`${fixture.url}/whoami`);
      const load = keepAliveLoad(`${fixture.url}/whoami`);
      await until('traffic before the restart', () => loop.ok() >= 20);

      fixture.signal('SIGHUP');
      await fixture.waitForEvent(
        'both old workers to exit',
        (e) => e.type === 'exit' && oldIds.includes(e.workerId),
        2,
        20_000,
      );
      const after = loop.ok();
      await until('traffic after the restart', () => loop.ok() >= after + 50);

      const failures = await loop.stop();
      const result = await load.stop();
      expect(failures).toEqual([]);
      expect(result).toMatchObject({ errors: 0, timeouts: 0, non2xx: 0 });
      expect(result.total).toBeGreaterThan(100);

      // The order, per slot: replacement forked, replacement ready, then the old one stopped.
      const events = fixture.events();
      const index = (predicate: (e: ReportedEvent) => boolean): number => events.findIndex(predicate);
      const replacements = fixture.events('fork').filter((event) => !oldIds.includes(event.workerId));
      expect(replacements.map((event) => event.slot)).toEqual([0, 1]);
      for (const replacement of replacements) {
        const previous = old.find((event) => event.slot === replacement.slot);
        const readyAt = index((e) => e.type === 'ready' && e.workerId === replacement.workerId);
        const oldExitAt = index((e) => e.type === 'exit' && e.workerId === previous?.workerId);
        expect(readyAt).toBeGreaterThan(index((e) => e === replacement));
        expect(oldExitAt).toBeGreaterThan(readyAt);
      }
      // Slot 1 was only touched after slot 0 was done.
      const slot0OldExit = index(
        (e) => e.type === 'exit' && e.workerId === old.find((o) => o.slot === 0)?.workerId,
      );
      expect(index((e) => e === replacements[1])).toBeGreaterThan(slot0OldExit);

      // Old workers were stopped on purpose (exit 0) and not respawned: 2 + 2 forks, no more.
      for (const exit of fixture.events('exit')) expect(exit).toMatchObject({ code: 0, reason: 'stopped' });
      expect(fixture.events('fork')).toHaveLength(4);
      const table = await fixture.command('workers');
      expect(pick(table.value, 'workers')).toEqual(
        replacements.map((event) =>
          expect.objectContaining({ id: event.workerId, slot: event.slot, state: 'ready' }),
        ),
      );
      // The loop really moved over to the new workers.
      expect(replacements.some((event) => loop.pids.has(event.pid))).toBe(true);
    },
  );

  it('rollingRestart() from code: a replacement that never gets ready leaves the old worker serving and stops with RollingRestartError; a later restart succeeds', async () => {
    marker = join(tmpdir(), `nest-hive-hang-${process.pid}-${Date.now()}`);
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_HANG_IF_FILE: marker,
      FIXTURE_READY_TIMEOUT_MS: '4000',
      FIXTURE_IDLE_GRACE_MS: '200',
    });
    await fixture.bootstrapped();
    const old = fixture.events('fork');
    writeFileSync(marker, 'new workers hang while this file exists');

    const failed = await fixture.command('rolling-restart', {}, 20_000);
    expect(failed.ok).toBe(false);
    expect(failed.error?.name).toBe('RollingRestartError');
    expect(failed.error?.slot).toBe(0);
    // Only slot 0 got a replacement, which was killed for not being ready; the old workers serve on.
    const forks = fixture.events('fork');
    expect(forks).toHaveLength(3);
    expect(fixture.events('exit')).toEqual([
      expect.objectContaining({ workerId: forks[2]?.workerId, slot: 0, reason: 'ready-timeout' }),
    ]);
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) pids.add(Number(pick((await http(`${fixture.url}/whoami`)).body, 'pid')));
    expect([...pids].sort()).toEqual(old.map((event) => event.pid).sort());

    rmSync(marker, { force: true });
    const succeeded = await fixture.command('rolling-restart', {}, 20_000);
    expect(succeeded).toMatchObject({ ok: true });
    expect(fixture.events('fork')).toHaveLength(5);
    const table = await fixture.command('workers');
    const ids = pickList(table.value, 'workers').map((row) => pick(row, 'id'));
    expect(ids).toEqual([forks[2].workerId + 1, forks[2].workerId + 2]);
  });
});
