import { describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { ClusterTimeoutError, WorkerExitedError } from '../cluster.errors.js';
import { replyEnvelope, requestEnvelope } from '../wire/envelope.build.js';
import { type ReplyEnvelope } from '../wire/envelope.types.js';
import { IpcStats } from '../ipc/ipc-stats.js';
import { PendingRequests } from './pending-requests.js';

function reply(id: string, payload: unknown): ReplyEnvelope {
  const request = requestEnvelope({ id, topic: 't', from: 'primary', to: 1, payload: null, timeoutMs: 1 });
  return replyEnvelope({ request, from: 1, payload });
}

describe('PendingRequests', () => {
  const track = (table: PendingRequests, id: string, timeoutMs = 1000) =>
    firstValueFrom(
      table.track({
        id,
        topic: 't',
        target: 1,
        timeoutMs,
        send: () => Promise.resolve(),
        decode: (answer) => answer.payload,
      }),
    );

  it('settles each request with the answer carrying its own id', async () => {
    const table = new PendingRequests();
    const first = track(table, 'a');
    const second = track(table, 'b');
    expect(table.size).toBe(2);
    expect(table.settle(reply('b', 'for b'))).toBe(true);
    expect(table.settle(reply('a', 'for a'))).toBe(true);
    await expect(first).resolves.toBe('for a');
    await expect(second).resolves.toBe('for b');
    expect(table.size).toBe(0);
  });

  it('times out with ClusterTimeoutError, then drops the late answer and is empty', async () => {
    const table = new PendingRequests();
    const request = track(table, 'slow', 20);
    await expect(request).rejects.toBeInstanceOf(ClusterTimeoutError);
    expect(table.size).toBe(0);
    expect(table.settle(reply('slow', 'too late'))).toBe(false);
  });

  it('fails the requests of a peer that left, at once', async () => {
    const table = new PendingRequests();
    const request = track(table, 'x', 60_000);
    table.failWhere(
      (target) => target === 1,
      (topic) => new WorkerExitedError(1, topic),
    );
    await expect(request).rejects.toBeInstanceOf(WorkerExitedError);
    expect(table.size).toBe(0);
  });

  it('fails when sending fails, and removes the entry when the caller unsubscribes', async () => {
    const table = new PendingRequests();
    const failed = firstValueFrom(
      table.track({
        id: 'f',
        topic: 't',
        target: 1,
        timeoutMs: 1000,
        send: () => Promise.reject(new Error('channel closed')),
        decode: () => 1,
      }),
    );
    await expect(failed).rejects.toThrow('channel closed');
    const subscription = table
      .track({
        id: 'u',
        topic: 't',
        target: 1,
        timeoutMs: 1000,
        send: () => Promise.resolve(),
        decode: () => 1,
      })
      .subscribe();
    expect(table.size).toBe(1);
    subscription.unsubscribe();
    expect(table.size).toBe(0);
  });

  it("keeps the process' counters: pending requests while they wait, each timeout once, and late replies", async () => {
    const stats = new IpcStats();
    const table = new PendingRequests(stats);
    const answered = track(table, 'a');
    const slow = track(table, 'slow', 20);
    expect(stats.pendingRequests).toBe(2);
    table.settle(reply('a', 'ok'));
    await answered;
    expect(stats.pendingRequests).toBe(1);
    await expect(slow).rejects.toBeInstanceOf(ClusterTimeoutError);
    expect(stats.pendingRequests).toBe(0);
    expect(stats.requestTimeouts).toBe(1);
    expect(stats.lateReplies).toBe(0);
    // The timed-out request's answer comes after all: dropped, and counted once as a late reply.
    expect(table.settle(reply('slow', 'too late'))).toBe(false);
    expect(stats.lateReplies).toBe(1);
    // So is the answer to a request its caller gave up on (unsubscribed).
    table
      .track({
        id: 'gone',
        topic: 't',
        target: 1,
        timeoutMs: 1000,
        send: () => Promise.resolve(),
        decode: () => 1,
      })
      .subscribe()
      .unsubscribe();
    expect(table.settle(reply('gone', 'nobody waits'))).toBe(false);
    expect(stats).toMatchObject({ pendingRequests: 0, lateReplies: 2 });
    table.failWhere(
      () => true,
      (topic) => new WorkerExitedError(1, topic),
    );
    expect(stats).toMatchObject({ pendingRequests: 0, requestTimeouts: 1, lateReplies: 2 });
  });
});
