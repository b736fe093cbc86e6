import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type ClusterMessaging, NoHandlerError } from '@nest-hive/cluster';
import { CacheHolders } from './cache-holders.js';

interface Sent {
  to: number;
  ids: string[];
  all: boolean;
  timeoutMs: number;
  answer: () => void;
  fail: (error?: Error) => void;
}

/** The primary's endpoint as far as `CacheHolders` uses it: requests to workers, answered by the test. */
function setUp(): { holders: CacheHolders; sent: Sent[]; clock: { now: number } } {
  const sent: Sent[] = [];
  const clock = { now: 0 };
  const messaging = {
    request: (
      _topic: unknown,
      payload: { ids: string[]; all: boolean },
      options: { to: number; timeoutMs: number },
    ) =>
      new Promise<null>((resolve, reject) => {
        sent.push({
          to: options.to,
          ...payload,
          timeoutMs: options.timeoutMs,
          answer: () => resolve(null),
          fail: (error = new Error('timed out')) => reject(error),
        });
      }),
  } as unknown as ClusterMessaging;
  return { holders: new CacheHolders({ messaging, now: () => clock.now }), sent, clock };
}

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await jest.advanceTimersByTimeAsync(0);
  return done;
}

describe('CacheHolders', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('tells only the other workers that read a session, in one message per worker per turn, and waits for them', async () => {
    const { holders, sent } = setUp();
    holders.grant(1, 2_000, []);
    holders.grant(2, 2_000, []);
    holders.grant(3, 2_000, []);
    for (const id of ['a', 'b']) {
      holders.noteRead(1, id);
      holders.noteRead(2, id);
    }
    const first = holders.invalidate('a', 1);
    const second = holders.invalidate('b', 1);
    expect(await settled(first)).toBe(false);
    expect(sent.map(({ to, ids }) => ({ to, ids }))).toEqual([{ to: 2, ids: ['a', 'b'] }]);
    sent[0]?.answer();
    expect(await settled(Promise.all([first, second]))).toBe(true);
    // Worker 2 dropped them, the writer drops its own: nobody holds them any more.
    expect(await settled(holders.invalidate('a', 3))).toBe(true);
    expect(sent).toHaveLength(1);
    expect(holders.heldCounts()).toEqual(
      new Map([
        [1, 0],
        [2, 0],
        [3, 0],
      ]),
    );
  });

  it('keeps the writer registered after its own touch', async () => {
    const { holders } = setUp();
    holders.grant(1, 2_000, []);
    holders.noteRead(1, 'a');
    await holders.invalidate('a', 1, true);
    expect(holders.heldCounts().get(1)).toBe(1);
  });

  it('a worker that does not answer holds the write until its lease ends, no longer', async () => {
    const { holders, sent, clock } = setUp();
    holders.grant(2, 2_000, []);
    holders.noteRead(2, 'a');
    clock.now = 500;
    const write = holders.invalidate('a', 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent[0]?.timeoutMs).toBe(1_500);
    clock.now = 2_000;
    sent[0]?.fail();
    expect(await settled(write)).toBe(true);
  });

  it('a failed message to a worker whose lease still runs waits out the lease; a gone worker is not waited for', async () => {
    const { holders, sent } = setUp();
    holders.grant(2, 2_000, []);
    holders.noteRead(2, 'a');
    const write = holders.invalidate('a', 1);
    await jest.advanceTimersByTimeAsync(0);
    sent[0]?.fail();
    expect(await settled(write)).toBe(false);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(await settled(write)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(write)).toBe(true);

    holders.noteRead(2, 'b');
    const another = holders.invalidate('b', 1);
    await jest.advanceTimersByTimeAsync(0);
    sent[1]?.fail();
    holders.forget(2);
    expect(await settled(another)).toBe(true);
  });

  it('does not wait for a worker whose cache is closed (no handler any more: it holds no copies)', async () => {
    const { holders, sent } = setUp();
    holders.grant(2, 2_000, []);
    holders.noteRead(2, 'a');
    const write = holders.invalidate('a', 1);
    await jest.advanceTimersByTimeAsync(0);
    sent[0]?.fail(new NoHandlerError('nest-hive:session:cache-invalidate', 2));
    expect(await settled(write)).toBe(true);
  });

  it('does not wait for a worker whose lease has ended', async () => {
    const { holders, sent, clock } = setUp();
    holders.grant(2, 2_000, []);
    holders.noteRead(2, 'a');
    clock.now = 2_000;
    expect(await settled(holders.invalidate('a', 1))).toBe(true);
    expect(sent).toHaveLength(1); // still told, so it drops the copy before its next lease
  });

  it('forgets released ids; invalidateAll tells every leased worker', async () => {
    const { holders, sent } = setUp();
    holders.grant(1, 2_000, []);
    holders.grant(2, 2_000, []);
    holders.noteRead(1, 'a');
    holders.noteRead(1, 'b');
    holders.grant(1, 2_000, ['a']);
    expect(holders.heldCounts().get(1)).toBe(1);
    const all = holders.invalidateAll();
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.map(({ to, all: everything }) => ({ to, everything }))).toEqual([
      { to: 1, everything: true },
      { to: 2, everything: true },
    ]);
    for (const message of sent) message.answer();
    expect(await settled(all)).toBe(true);
    expect(holders.heldCounts().get(1)).toBe(0);
  });
});
