import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture, field } from '../cluster/support/cluster-fixture.js';
import { recordReliability } from '../support/reliability-record.js';

describe('4. crash loop', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('a worker factory that throws at start-up trips the guard: the primary exits with code 1 and a clear message, without spinning the CPU', async () => {
    const maxRestarts = 4;
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_FAIL_START: 'all',
      FIXTURE_RESTART: JSON.stringify({ initialDelayMs: 50, maxDelayMs: 400, maxRestarts, windowMs: 60_000 }),
    });
    const exit = await fixture.waitForExit(30_000);
    expect(exit.code).toBe(1);

    // Every slot was tried maxRestarts + 1 times, then given up with a crash-loop event and a clear error.
    const forks = fixture.events('fork');
    expect(forks.filter((e) => e.slot === 0)).toHaveLength(maxRestarts + 1);
    expect(forks.filter((e) => e.slot === 1)).toHaveLength(maxRestarts + 1);
    expect(
      fixture
        .events('crash-loop')
        .map((e) => e.slot)
        .sort(),
    ).toEqual([0, 1]);
    expect(fixture.output.some((line) => /Slot \d is in a crash loop/.test(line))).toBe(true);
    expect(fixture.output.some((line) => line.includes('All 2 worker slot(s) are in a crash loop'))).toBe(
      true,
    );

    // The primary waited between attempts instead of spinning: its own CPU time is a small part of its life.
    const report = fixture.linesOf('exit', 'primary')[0];
    const cpu = field(report, 'cpuMicros') as { user: number; system: number };
    const uptimeMs = Number(field(report, 'uptimeMs'));
    const cpuShare = (cpu.user + cpu.system) / 1_000 / uptimeMs;
    await recordReliability({
      'crashLoop.forks': forks.length,
      'crashLoop.exitCode': exit.code ?? 'signal',
      'crashLoop.primaryUptimeMs': uptimeMs,
      'crashLoop.primaryCpuShare': Number(cpuShare.toFixed(2)),
    });
    expect(cpuShare).toBeLessThan(0.5);
  }, 40_000);

  it('with the default restart options, a worker that fails at every start makes the primary exit 1 within 30 s, its last log line naming the cause', async () => {
    const cause = 'database at db.internal:5432 refused the connection';
    const started = Date.now();
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_FAIL_START: 'all',
      FIXTURE_FAIL_START_ERROR: cause,
      FIXTURE_RESTART: 'default',
    });
    const exit = await fixture.waitForExit(30_000);
    const elapsedMs = Date.now() - started;
    expect(exit.code).toBe(1);
    expect(elapsedMs).toBeLessThan(30_000);
    expect(fixture.linesOf('uncaught')).toHaveLength(0);
    // The last thing a person reads says what happened and why.
    const logLines = fixture.output.filter((line) => !line.startsWith('{') && line.trim() !== '');
    const last = logLines.at(-1) ?? '';
    expect(last).toMatch(/crash loop/);
    expect(last).toContain(cause);
    await recordReliability({ 'crashLoop.defaultOptionsExitMs': elapsedMs });
  }, 40_000);
});
