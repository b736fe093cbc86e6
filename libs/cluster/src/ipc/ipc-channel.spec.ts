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
/** Lets the microtask that writes a tick's messages run. */
const endOfTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** The `n` fields of what one write carried: a batch's items, or the message itself. */
const numbers = (written: unknown): unknown[] => {
  const items =
    (written as { kind?: string; items?: unknown[] }).kind === 'batch'
      ? (written as { items: unknown[] }).items
      : [written];
  return items.map((m) => (m as { n?: unknown }).n);
};

describe('IpcChannel', () => {
  it('writes a lone message as itself at the end of the tick', async () => {
    const target = new ManualTarget(100);
    const channel = new IpcChannel(target, options);
    const sent = channel.send({ n: 1 });
    expect(target.written).toEqual([]);
    await endOfTick();
    expect(target.written).toEqual([{ n: 1 }]);
    target.flush();
    await expect(sent).resolves.toBeUndefined();
  });

  it('coalesces the messages of one tick into one batch write, in order', async () => {
    const target = new ManualTarget(100);
    const channel = new IpcChannel(target, options);
    const sent = [channel.send({ n: 1 }), channel.send({ n: 2 }), channel.send({ n: 3 })];
    await endOfTick();
    expect(target.written).toHaveLength(1);
    expect(target.written[0]).toMatchObject({ ns: 'nest-hive', v: 1, kind: 'batch' });
    expect(numbers(target.written[0])).toEqual([1, 2, 3]);
    target.flush();
    await Promise.all(sent);
    expect(channel.queued).toBe(0);
  });

  it('splits a burst into batches of at most 256 messages', async () => {
    const target = new ManualTarget(1_000);
    const channel = new IpcChannel(target, { ...options, maxQueuedMessages: 10_000 });
    const sent = Array.from({ length: 600 }, (_, n) => channel.send({ n }));
    await endOfTick();
    expect(target.written.map((w) => numbers(w).length)).toEqual([256, 256, 88]);
    expect(target.written.flatMap(numbers)).toEqual(Array.from({ length: 600 }, (_, n) => n));
    target.flush();
    await Promise.all(sent);
  });

  it('queues after send() returns false, refuses past the bound, and flushes in order on drain', async () => {
    const target = new ManualTarget(1);
    const channel = new IpcChannel(target, options);
    const outcome = (promise: Promise<void>): Promise<unknown> =>
      promise.then(
        () => 'ok',
        (error: unknown) => error,
      );
    const results = [outcome(channel.send({ n: 1 })), outcome(channel.send({ n: 2 }))];
    await endOfTick();
    // One write carried 1 and 2, and the target reported a full backlog.
    expect(channel.isBlocked).toBe(true);
    for (let n = 3; n <= 7; n++) results.push(outcome(channel.send({ n })));
    expect(channel.queued).toBe(3);
    target.flush(); // drained: 3, 4 and 5 go out together, and the backlog is full again
    expect(target.written.map(numbers)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    target.flush();
    const settled = await Promise.all(results);
    expect(settled.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(settled[5]).toBeInstanceOf(QueueFullError);
    expect(settled[6]).toBeInstanceOf(QueueFullError);
  });

  it('rejects on a closed channel, and rejects what was queued when closed', async () => {
    const target = new ManualTarget(1);
    const channel = new IpcChannel(target, options);
    const first = channel.send({ n: 1 });
    await endOfTick();
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
