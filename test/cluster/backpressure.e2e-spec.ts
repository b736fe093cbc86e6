/**
 * Behaviour 13: backpressure on the IPC channel, the send-queue bound, order per sender →
 * receiver, and the message size limit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from './support/cluster-fixture.js';
import { onWorker, pick } from './support/http-client.js';
import { expectQueueBound } from '../support/queue-bound.js';

describe('ClusterService: backpressure and limits', () => {
  let fixture: ClusterFixture;
  let worker: number;

  beforeAll(async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '1',
      FIXTURE_MAX_QUEUED: '50',
      FIXTURE_MAX_BYTES: '200000',
    });
    await fixture.bootstrapped();
    worker = fixture.events('fork')[0].workerId;
  });

  afterAll(async () => {
    await fixture.stop();
  });

  it('queues once process.send reports a full backlog, refuses past the bound with QueueFullError, and keeps the order', async () => {
    // The primary blocks its event loop for 400 ms while the worker fires 300 × 64 KiB messages.
    const { body } = await onWorker(fixture.url, worker, '/rpc/flood', { count: 300, bytes: 64 * 1024 });
    const accepted = pick(body, 'accepted');
    const refused = pick(body, 'refused');
    const received = pick(body, 'received');
    if (!Array.isArray(accepted) || !Array.isArray(refused) || !Array.isArray(received)) {
      throw new Error(`unexpected answer ${JSON.stringify(body).slice(0, 300)}`);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['QueueFullError']));
    expect(accepted.length + refused.length).toBe(300);
    // The queue filled to its bound (50) and no further: what got through is what Node took before
    // it reported a full backlog, then exactly 50 queued ones, then only refusals.
    expectQueueBound(accepted as number[], 50, 64 * 1024);
    // Exactly what was accepted arrived, in the order it was sent.
    expect(received).toEqual(accepted);
    expect(pick((await onWorker(fixture.url, worker, '/rpc/pending')).body, 'pending')).toBe(0);
  });

  it('refuses a message over maxMessageBytes with MessageTooLargeError, for send and request alike', async () => {
    const big = 250_000;
    const send = await onWorker(fixture.url, worker, '/rpc/send', { topic: 'big', payloadBytes: big });
    expect(pick(send.body, 'error')).toMatchObject({ name: 'MessageTooLargeError', limit: 200_000 });
    const request = await onWorker(fixture.url, worker, '/rpc/request', { topic: 'echo', payloadBytes: big });
    expect(pick(request.body, 'error.name')).toBe('MessageTooLargeError');
    // A message under the limit still goes through.
    const small = await onWorker(fixture.url, worker, '/rpc/request', {
      topic: 'echo',
      payload: { i: 1, nonce: 'ok' },
    });
    expect(pick(small.body, 'value')).toEqual({ i: 1, nonce: 'ok' });
  });
});
