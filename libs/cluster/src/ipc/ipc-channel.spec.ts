import { describe, expect, it } from '@jest/globals';
import { QueueFullError, WorkerUnavailableError } from '../cluster.errors.js';
import { IpcChannel, type IpcTarget } from './ipc-channel.js';

/** A channel end we drive by hand: it reports a full backlog after `capacity` writes until flushed. */
class ManualTarget implements IpcTarget {
  readonly written: unknown[] = [];
  private readonly callbacks: Array<(error: Error | null) => void> = [];
  connected = true;

  constructor(private readonly capacity: number) {}

  isConnected(): boolean {
    return this.connected;
  }

  send(message: object, callback: (error: Error | null) => void): boolean {
    this.written.push(message);
    this.callbacks.push(callback);
    return this.callbacks.length < this.capacity;
  }

  /** Completes every pending write, as Node does once the pipe drained. */
  flush(): void {
    for (const callback of this.callbacks.splice(0)) callback(null);
  }
}

const options = { peer: 1, maxQueuedMessages: 3, unavailable: () => new WorkerUnavailableError(1) };

describe('IpcChannel', () => {
  it('writes straight through while the target keeps up', async () => {
    const target = new ManualTarget(100);
    const channel = new IpcChannel(target, options);
    const sent = [channel.send({ n: 1 }), channel.send({ n: 2 })];
    expect(target.written).toEqual([{ n: 1 }, { n: 2 }]);
    target.flush();
    await Promise.all(sent);
    expect(channel.queued).toBe(0);
  });

  it('queues after send() returns false, refuses past the bound, and flushes in order on drain', async () => {
    const target = new ManualTarget(2);
    const channel = new IpcChannel(target, options);
    const results: Array<Promise<unknown>> = [];
    for (let n = 1; n <= 7; n++)
      results.push(
        channel.send({ n }).then(
          () => 'ok',
          (error: unknown) => error,
        ),
      );
    // 2 written (the second reported a full backlog), 3 queued, 2 refused.
    expect(target.written).toEqual([{ n: 1 }, { n: 2 }]);
    expect(channel.isBlocked).toBe(true);
    expect(channel.queued).toBe(3);
    target.flush();
    expect(target.written).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]); // blocked again after n=4
    target.flush();
    target.flush();
    const settled = await Promise.all(results);
    expect(settled.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(settled[5]).toBeInstanceOf(QueueFullError);
    expect(settled[6]).toBeInstanceOf(QueueFullError);
    expect(target.written.map((m) => (typeof m === 'object' && m !== null && 'n' in m ? m.n : null))).toEqual(
      [1, 2, 3, 4, 5],
    );
  });

  it('rejects on a closed channel, and rejects what was queued when closed', async () => {
    const target = new ManualTarget(1);
    const channel = new IpcChannel(target, options);
    const first = channel.send({ n: 1 });
    const queued = channel.send({ n: 2 });
    channel.close();
    await expect(queued).rejects.toBeInstanceOf(WorkerUnavailableError);
    target.flush();
    await expect(first).resolves.toBeUndefined();
    target.connected = false;
    await expect(new IpcChannel(target, options).send({ n: 3 })).rejects.toBeInstanceOf(
      WorkerUnavailableError,
    );
  });
});
