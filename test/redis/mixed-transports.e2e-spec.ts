/**
 * Workers that broadcast over Redis pub/sub while the primary keeps the default IPC transport
 * (its plain-code endpoint, and a primary() context without a transport option): broadcasts
 * from the primary must still reach every worker, once each.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from '../cluster/support/cluster-fixture.js';
import { onWorker, pick } from '../cluster/support/http-client.js';
import { waitFor } from '../support/processes.js';
import { REDIS_URL, redisReachable } from '../support/redis.js';

const redisUp = await redisReachable();
const describeRedis = redisUp ? describe : describe.skip;

describeRedis('broadcasts between a primary on IPC and workers on Redis', () => {
  let fixture: ClusterFixture;
  let workers: number[];

  const received = async (worker: number, topic: string): Promise<unknown[]> => {
    const inbox = (await onWorker(fixture.url, worker, '/rpc/inbox')).body;
    const messages = pick(inbox, 'messages');
    if (!Array.isArray(messages)) throw new Error(`no messages in ${JSON.stringify(inbox)}`);
    return messages.filter((m) => pick(m, 'topic') === topic).map((m) => pick(m, 'payload'));
  };

  beforeAll(async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_REDIS_CHANNEL: `test:mixed:${randomBytes(4).toString('hex')}`,
      REDIS_URL,
    });
    await fixture.bootstrapped();
    workers = fixture.events('fork').map((event) => event.workerId);
  });
  afterAll(() => fixture.stop());

  it('a broadcast from the primary runtime and from the primary() context reaches both workers exactly once', async () => {
    expect((await fixture.command('broadcast', { topic: 'mixed', payload: 'runtime' })).ok).toBe(true);
    const viaContext = await fixture.command('broadcast', {
      topic: 'mixed',
      payload: 'context',
      viaContext: true,
    });
    expect(viaContext.ok).toBe(true);
    for (const worker of workers) {
      await waitFor(
        `both broadcasts on worker ${worker}`,
        async () => ((await received(worker, 'mixed')).length >= 2 ? true : undefined),
        5_000,
        50,
      );
    }
    // Nothing arrives twice (IPC and Redis), and workers' own Redis broadcasts keep working.
    // A broadcast refused by the transport (TransportUnavailableError) was not sent: try it again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const sent = (
        await onWorker(fixture.url, Number(workers[0]), '/rpc/broadcast', {
          topic: 'mixed',
          payload: 'worker',
        })
      ).body;
      if (pick(sent, 'ok') === true) break;
      expect(pick(sent, 'error.name')).toBe('TransportUnavailableError');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await waitFor(
      'the worker broadcast',
      async () => ((await received(Number(workers[1]), 'mixed')).length >= 3 ? true : undefined),
      5_000,
      50,
    );
    expect((await received(Number(workers[1]), 'mixed')).sort()).toEqual(['context', 'runtime', 'worker']);
    expect((await received(Number(workers[0]), 'mixed')).sort()).toEqual(['context', 'runtime']);
  });
});

describeRedis('broadcasts from a primary() context on Redis', () => {
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.stop();
    fixture = undefined;
  });

  const received = async (started: ClusterFixture, worker: number): Promise<unknown[]> => {
    const inbox = (await onWorker(started.url, worker, '/rpc/inbox')).body;
    const messages = pick(inbox, 'messages');
    if (!Array.isArray(messages)) throw new Error(`no messages in ${JSON.stringify(inbox)}`);
    return messages.filter((m) => pick(m, 'topic') === 'reverse').map((m) => pick(m, 'payload'));
  };

  it.each([
    ['workers on the default IPC transport', false],
    ['workers on the same Redis channel', true],
  ])('reach %s, exactly once', async (_label, workersOnRedis) => {
    const channel = `test:reverse:${randomBytes(4).toString('hex')}`;
    const started = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_PRIMARY_REDIS_CHANNEL: channel,
      ...(workersOnRedis ? { FIXTURE_REDIS_CHANNEL: channel } : {}),
      REDIS_URL,
    });
    fixture = started;
    await started.bootstrapped();
    const workers = started.events('fork').map((event) => event.workerId);
    // The context's Redis subscription may still be starting: a refused broadcast was not sent, so retry it.
    for (let attempt = 0; attempt < 5; attempt++) {
      const sent = await started.command('broadcast', {
        topic: 'reverse',
        payload: 'hello',
        viaContext: true,
      });
      if (sent.ok) break;
      expect(sent.error?.name).toBe('TransportUnavailableError');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const worker of workers) {
      await waitFor(
        `the broadcast on worker ${worker}`,
        async () => ((await received(started, worker)).length >= 1 ? true : undefined),
        5_000,
        50,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // a second copy would have come by now
    for (const worker of workers) expect(await received(started, worker)).toEqual(['hello']);
  });
});
