/**
 * Behaviour 10: sending to a worker that exited or whose channel closed rejects with
 * WorkerUnavailableError (no unhandled 'error' reaches the primary), and a request to a worker
 * that dies mid-call rejects at once with WorkerExitedError.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClusterFixture, isAlive } from './support/cluster-fixture.js';
import { onWorker, pick } from './support/http-client.js';

describe('ClusterService: peers that go away', () => {
  let fixture: ClusterFixture;

  const rpc = async (worker: number, path: string, body?: Record<string, unknown>): Promise<unknown> =>
    (await onWorker(fixture.url, worker, path, body)).body;
  const liveWorkers = async (): Promise<number[]> => {
    const table = await fixture.command('workers');
    const rows = pick(table.value, 'workers');
    return Array.isArray(rows)
      ? rows.filter((row) => pick(row, 'state') === 'ready').map((row) => Number(pick(row, 'id')))
      : [];
  };

  beforeAll(async () => {
    fixture = await ClusterFixture.start({
      FIXTURE_WORKERS: '2',
      FIXTURE_RESTART: JSON.stringify({ initialDelayMs: 20, maxDelayMs: 50 }),
    });
    await fixture.bootstrapped();
  });

  afterAll(async () => {
    await fixture.stop();
  });

  it('primary → worker that dies mid-call: WorkerExitedError at once, not after the timeout', async () => {
    const [victim] = await liveWorkers();
    const reply = await fixture.command('request', { to: victim, topic: 'die-now', timeoutMs: 10_000 });
    expect(reply.error).toMatchObject({ name: 'WorkerExitedError', workerId: victim, topic: 'die-now' });
    const settled = fixture.linesOf('request-settled', 'primary').at(-1);
    expect(Number(settled?.elapsedMs)).toBeLessThan(3_000);
    expect(pick((await fixture.command('pending')).value, 'pending')).toBe(0);

    // Sending to it now that it is gone rejects with WorkerUnavailableError, for send and request.
    const send = await fixture.command('send', { to: victim, topic: 'anything', payload: 1 });
    expect(send.error).toMatchObject({ name: 'WorkerUnavailableError', workerId: victim });
    const request = await fixture.command('request', { to: victim, topic: 'whoami' });
    expect(request.error?.name).toBe('WorkerUnavailableError');
  });

  it('worker → worker that dies mid-call: the primary answers WorkerExitedError at once', async () => {
    let live: number[] = [];
    const deadline = Date.now() + 10_000;
    while (live.length < 2 && Date.now() < deadline) live = await liveWorkers();
    const [caller, victim] = live as [number, number];
    const reply = await rpc(caller, '/rpc/request', { to: victim, topic: 'die-now', timeoutMs: 10_000 });
    expect(pick(reply, 'error')).toMatchObject({ name: 'WorkerExitedError', workerId: victim });
    expect(Number(pick(reply, 'elapsedMs'))).toBeLessThan(3_000);
    expect(pick(await rpc(caller, '/rpc/pending'), 'pending')).toBe(0);

    // And a worker sending to the exited worker gets WorkerUnavailableError (a receipt from the primary).
    const send = await rpc(caller, '/rpc/send', { to: victim, topic: 'anything', payload: 1 });
    expect(pick(send, 'error')).toMatchObject({ name: 'WorkerUnavailableError', workerId: victim });
  });

  it('a worker whose IPC channel is closed (process still alive) is unavailable; the primary never crashes', async () => {
    let live: number[] = [];
    const deadline = Date.now() + 10_000;
    while (live.length < 2 && Date.now() < deadline) live = await liveWorkers();
    const [target] = live as [number];
    const answer = await rpc(target, '/rpc/disconnect', {});
    const pid = Number(pick(answer, 'pid'));
    await fixture.waitForEvent('the disconnect', (e) => e.type === 'disconnect' && e.workerId === target);
    expect(isAlive(pid)).toBe(true); // the channel is closed, the process lives on for a while
    const send = await fixture.command('send', { to: target, topic: 'anything', payload: 1 });
    expect(send.error).toMatchObject({ name: 'WorkerUnavailableError', workerId: target });
    const request = await fixture.command('request', { to: target, topic: 'whoami', viaContext: true });
    expect(request.error?.name).toBe('WorkerUnavailableError');

    expect(fixture.linesOf('uncaught')).toEqual([]);
    expect(isAlive(fixture.pid)).toBe(true);
    expect(fixture.exit).toBeUndefined();
  });
});
