import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from '../cluster/support/cluster-fixture.js';
import { http } from '../cluster/support/http-client.js';
import { recordReliability } from '../support/reliability-record.js';
import { expectOnTime } from '../support/timing.js';

describe('5. slow and hung workers', () => {
  let fixture: ClusterFixture | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('a worker that never becomes ready is killed after readyTimeoutMs and replaced in its slot', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nest-hive-hang-'));
    const hangFile = join(dir, 'hang');
    writeFileSync(hangFile, 'hang');
    // Long enough for the healthy replacement to start on a loaded machine (it gets the same
    // timeout), short enough that a timer three times late is far outside the tolerance.
    const readyTimeoutMs = 3_000;
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '1',
      FIXTURE_HANG_IF_FILE: hangFile,
      FIXTURE_READY_TIMEOUT_MS: String(readyTimeoutMs),
      FIXTURE_RESTART: JSON.stringify({ initialDelayMs: 50, maxDelayMs: 50 }),
    });
    const [firstFork] = await fixture.waitForEvent('the first fork', (e) => e.type === 'fork');
    const [timedOut] = await fixture.waitForEvent('the ready timeout', (e) => e.type === 'exit', 1, 10_000);
    rmSync(hangFile); // the replacement starts normally
    await fixture.bootstrapped(20_000);
    expect(timedOut).toMatchObject({ slot: 0, workerId: firstFork?.workerId, reason: 'ready-timeout' });
    const killedAfterMs = (timedOut?.at ?? 0) - (firstFork?.at ?? 0);
    expectOnTime('ready timeout', killedAfterMs, readyTimeoutMs);
    const ready = fixture.events('ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]?.slot).toBe(0);
    expect(ready[0]?.workerId).not.toBe(firstFork?.workerId);
    const replacedAfterMs = (ready[0]?.at ?? 0) - (firstFork?.at ?? 0);
    await recordReliability({ 'hung.killedAfterMs': killedAfterMs, 'hung.replacedAfterMs': replacedAfterMs });
    expect((await http(`${fixture.url}/whoami`)).status).toBe(200);
  }, 40_000);

  it('a worker whose event loop is blocked does not stall IPC requests to the other workers', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '2' });
    await fixture.bootstrapped();
    const workerIds = fixture.events('fork').map((e) => e.workerId);
    // Block one worker's event loop for 3 s (whichever the round robin picks).
    const blocked = http(`${fixture.url}/block?ms=3000`);
    await sleep(300);
    const started = Date.now();
    const replies = await Promise.all(
      workerIds.map((to) =>
        fixture!.command('request', { to, topic: 'echo', payload: { i: to, nonce: 'x' }, timeoutMs: 1_500 }),
      ),
    );
    const answeredAt = Date.now() - started;
    const answered = replies.filter((r) => r.ok);
    const timedOut = replies.filter((r) => !r.ok);
    // The free worker answered at once; only the blocked one timed out.
    expect(answered).toHaveLength(1);
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]?.error?.name).toBe('ClusterTimeoutError');
    const fast = answered[0]?.value as { elapsedMs: number };
    expect(fast.elapsedMs).toBeLessThan(500);
    await recordReliability({ 'blocked.otherWorkerReplyMs': fast.elapsedMs });
    expect(answeredAt).toBeLessThan(2_500);
    expect((await blocked).status).toBe(200);
    // Once free again, the blocked worker answers too.
    const after = await Promise.all(
      workerIds.map((to) =>
        fixture!.command('request', { to, topic: 'echo', payload: { i: to, nonce: 'y' } }),
      ),
    );
    expect(after.every((r) => r.ok)).toBe(true);
  }, 40_000);
});
