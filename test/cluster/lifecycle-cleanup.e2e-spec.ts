/**
 * Behaviour 14: on app.close() the observables complete and the listeners go away; the listener
 * counts on `process` and `cluster` return to their baseline, in the primary and in a worker.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture, type FixtureLine } from './support/cluster-fixture.js';
import { pick } from './support/http-client.js';

/** Listener counts without 'exit': the fixture measures inside 'exit', where once('exit') listeners are already gone. */
function withoutExit(counts: unknown): Record<string, number> {
  const result: Record<string, number> = {};
  if (typeof counts !== 'object' || counts === null) return result;
  for (const [event, count] of Object.entries(counts))
    if (event !== 'exit' && typeof count === 'number') result[event] = count;
  return result;
}

function expectBackToBaseline(line: FixtureLine | undefined): void {
  expect(line).toBeDefined();
  for (const emitter of ['process', 'cluster']) {
    const before = withoutExit(pick(line?.baseline, emitter));
    const after = withoutExit(pick(line?.after, emitter));
    expect({ emitter, counts: after }).toEqual({ emitter, counts: before });
  }
}

describe('lifecycle cleanup', () => {
  let fixture: ClusterFixture | undefined;

  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('completes every stream and restores the listener counts of process and cluster in worker and primary', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '1' });
    await fixture.bootstrapped();
    // While running, the library does hold listeners (signals, the IPC channel), so the check below can fail.
    fixture.signal('SIGTERM');
    const exit = await fixture.waitForExit();
    expect(exit.code).toBe(0);

    const worker = fixture.linesOf('exit', 'worker')[0];
    const primary = fixture.linesOf('exit', 'primary')[0];
    expectBackToBaseline(worker);
    expectBackToBaseline(primary);
    expect(worker?.completions).toEqual({
      'worker.messages$': true,
      'worker.events$': true,
      'worker.workers$': true,
      'worker.errors$': true,
      'worker.on': true,
    });
    expect(primary?.completions).toEqual({
      'primary.events$': true,
      'primary.workers$': true,
      'primary.messages$': true,
      'context.messages$': true,
      'context.events$': true,
      'context.errors$': true,
    });
  });
});
