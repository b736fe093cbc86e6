import { afterEach, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from '../cluster/support/cluster-fixture.js';
import { http, onWorker, pick } from '../cluster/support/http-client.js';
import { waitFor } from '../support/processes.js';
import { expectQueueBound } from '../support/queue-bound.js';
import { recordReliability } from '../support/reliability-record.js';

describe('7. IPC abuse', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  it('malformed, oversized and foreign messages injected into a worker’s channel go to errors$, and nothing crashes', async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '1', FIXTURE_MAX_BYTES: '100000' });
    await fixture.bootstrapped();
    const worker = fixture.events('fork')[0]?.workerId ?? -1;
    const reply = await fixture.command('junk', { to: worker, count: 200_000 });
    expect(reply.ok).toBe(true);
    const errors = await waitFor('the worker to report the junk', async () => {
      const inbox = await onWorker(fixture!.url, worker, '/rpc/inbox');
      const list = pick(inbox.body, 'errors') as Array<{ name: string; message: string }>;
      return list.length >= 3 ? list : undefined;
    });
    const names = errors.map((e) => e.name).sort();
    expect(names).toEqual(['MalformedEnvelopeError', 'MalformedEnvelopeError', 'MessageTooLargeError']);
    expect(errors.find((e) => e.name === 'MessageTooLargeError')?.message).toMatch(/100000-byte limit/);
    // Foreign values (a raw string, another library's object) were ignored, not reported.
    expect(errors).toHaveLength(3);
    // The worker and the primary are alive and still talk.
    expect((await http(`${fixture.url}/whoami`)).status).toBe(200);
    const echo = await fixture.command('request', {
      to: worker,
      topic: 'echo',
      payload: { i: 1, nonce: 'after' },
    });
    expect(echo.ok).toBe(true);
    expect(fixture.linesOf('uncaught')).toHaveLength(0);
  }, 40_000);

  it('10 000 messages queued to a slow receiver keep their order, and the queue stays within its bound', async () => {
    const bound = 4_000;
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '1', FIXTURE_MAX_QUEUED: String(bound) });
    await fixture.bootstrapped();
    const worker = fixture.events('fork')[0]?.workerId ?? -1;
    // The primary blocks its event loop while the worker fires 10 000 messages of 2 KiB.
    const { body } = await onWorker(fixture.url, worker, '/rpc/flood', { count: 10_000, bytes: 2_048 });
    const accepted = pick(body, 'accepted') as number[];
    const refused = pick(body, 'refused') as string[];
    const received = pick(body, 'received') as number[];
    expect(accepted.length + refused.length).toBe(10_000);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['QueueFullError']));
    expect(received).toEqual(accepted);
    const direct = expectQueueBound(accepted, bound, 2_048);
    await recordReliability({
      'ipcQueue.bound': bound,
      'ipcQueue.writtenBeforeBacklog': direct,
      'ipcQueue.accepted': accepted.length,
      'ipcQueue.refused': refused.length,
      'ipcQueue.inOrder': true,
    });
  }, 40_000);
});
