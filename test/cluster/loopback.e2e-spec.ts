/**
 * `workers: 0`: the worker factory runs in the primary process and every ClusterService API works
 * as a local loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFixture } from './support/cluster-fixture.js';
import { http, pick, pickList } from './support/http-client.js';

describe('bootstrapCluster with workers: 0 (loopback)', () => {
  let fixture: ClusterFixture;
  const post = async (path: string, body: Record<string, unknown>): Promise<unknown> =>
    (await http(`${fixture.url}${path}`, { body })).body;

  beforeAll(async () => {
    fixture = await ClusterFixture.start({ FIXTURE_WORKERS: '0' });
  });

  afterAll(async () => {
    await fixture.stop();
  });

  it('runs the worker app in the primary process as worker 0', async () => {
    const boot = await fixture.bootstrapped();
    expect(boot).toMatchObject({ mode: 'loopback', hasApp: true, hasContext: true });
    expect(boot.workers).toEqual([
      expect.objectContaining({ id: 0, slot: 0, pid: fixture.pid, state: 'ready' }),
    ]);
    const who = await http(`${fixture.url}/whoami`);
    expect(pick(who.body, 'pid')).toBe(fixture.pid);
    expect(pick(who.body, 'self')).toEqual({
      isPrimary: false,
      workerId: 0,
      slot: 0,
      pid: fixture.pid,
      mode: 'loopback',
    });
    expect(fixture.events('fork')).toEqual([]);
  });

  it('request, send, broadcast, on() and workers() work locally', async () => {
    expect(pick(await post('/rpc/request', { topic: 'greet', payload: { name: 'Loop' } }), 'value')).toBe(
      'hello Loop',
    );
    expect(
      pick(await post('/rpc/request', { topic: 'echo', payload: { i: 1, nonce: 'n' } }), 'value'),
    ).toEqual({
      i: 1,
      nonce: 'n',
    });
    expect(pick(await post('/rpc/request', { to: 0, topic: 'boom' }), 'error.remoteName')).toBe('BoomError');
    expect(pick(await post('/rpc/request', { topic: 'nobody', timeoutMs: 5000 }), 'error.name')).toBe(
      'NoHandlerError',
    );
    expect(pick(await post('/rpc/send', { to: 0, topic: 'note', payload: { name: 'self' } }), 'ok')).toBe(
      true,
    );
    await post('/rpc/broadcast', { topic: 'news', payload: 'not-for-me' });
    await post('/rpc/broadcast', { topic: 'news', payload: 'for-me', includeSelf: true });
    const inbox = (await http(`${fixture.url}/rpc/inbox`)).body;
    expect(pick(inbox, 'notes')).toEqual([{ name: 'self', from: 0 }]);
    const news = pickList(inbox, 'messages').filter((m) => pick(m, 'topic') === 'news');
    expect(news.map((m) => pick(m, 'payload'))).toEqual(['for-me']);
    const table = (await http(`${fixture.url}/rpc/workers`)).body;
    expect(pick(table, 'snapshot.primary.pid')).toBe(fixture.pid);
    expect(pickList(table, 'snapshot.workers').map((row) => pick(row, 'id'))).toEqual([0]);
    const concurrent = await post('/rpc/concurrent', { to: 'primary', count: 1000 });
    expect(concurrent).toMatchObject({ count: 1000, mismatches: 0, pending: 0 });
  });

  it('has no rolling restart (named error, no crash on the reload signal) and shuts down gracefully', async () => {
    const reply = await fixture.command('rolling-restart');
    expect(reply.error?.name).toBe('ClusterStateError');
    fixture.signal('SIGHUP');
    await fixture.waitFor('the refused reload to be logged', () =>
      fixture.output.find((line) => line.includes('rollingRestart() needs forked workers')),
    );
    expect((await http(`${fixture.url}/whoami`)).status).toBe(200);
    fixture.signal('SIGTERM');
    const exit = await fixture.waitForExit();
    expect(exit.code).toBe(0);
    expect(fixture.linesOf('shutdown-hook', 'worker')).toHaveLength(1);
  });
});
