import { describe, expect, it } from '@jest/globals';
import { callStore, type StoreCallback } from './callback-call.js';
import {
  ExpressSessionStoreContractError,
  ExpressSessionStoreTimeoutError,
} from './express-session-store.errors.js';

const TIMEOUT_MS = 100;

function call(invoke: (callback: StoreCallback) => unknown) {
  const late: string[] = [];
  const done = callStore('get', invoke, TIMEOUT_MS, (operation, what) => late.push(`${operation}: ${what}`));
  return { done, late };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('callStore', () => {
  it('resolves the value a store calls back, asynchronously or at once', async () => {
    await expect(call((cb) => setImmediate(() => cb(null, 'later'))).done).resolves.toBe('later');
    await expect(call((cb) => cb(undefined, 'at once')).done).resolves.toBe('at once');
  });

  it('keeps an answer that came in time when the event loop stalls past the timeout before handing it on', async () => {
    const outcome = call((cb) =>
      setImmediate(() => {
        cb(null, 'in time');
        // A stall after the answer, before the next turn hands it on (a long GC pause, a starved CPU).
        const until = Date.now() + 2 * TIMEOUT_MS;
        while (Date.now() < until) {
          // busy
        }
      }),
    );
    await expect(outcome.done).resolves.toBe('in time');
    expect(outcome.late).toEqual([]);
  });

  it('rejects the error a store calls back', async () => {
    await expect(call((cb) => cb(new Error('refused'))).done).rejects.toThrow('refused');
  });

  it('rejects a non-Error called back as an error, naming it', async () => {
    await expect(call((cb) => cb('nope')).done).rejects.toThrow(/called back a non-Error \(string\)/);
  });

  it('rejects a synchronous throw as a contract error that keeps the cause', async () => {
    const thrown = new Error('boom');
    const failure = await call(() => {
      throw thrown;
    }).done.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ExpressSessionStoreContractError);
    expect((failure as Error).message).toBe("The express-session store's get() threw.");
    expect((failure as Error).cause).toBe(thrown);
  });

  it('rejects a promise the store returns rejected without calling back', async () => {
    await expect(call(() => Promise.reject(new Error('rejected'))).done).rejects.toThrow('rejected');
  });

  it('waits for the callback of a store that also returns a promise (connect-redis 9)', async () => {
    await expect(
      call(async (cb) => {
        await sleep(5);
        return cb(null, 'from the callback');
      }).done,
    ).resolves.toBe('from the callback');
  });

  it('rejects two answers in one turn, whatever the first said', async () => {
    for (const second of [null, new Error('second')]) {
      const outcome = call((cb) => {
        cb(null, 'first');
        cb(second, 'again');
      });
      await expect(outcome.done).rejects.toBeInstanceOf(ExpressSessionStoreContractError);
      await expect(outcome.done).rejects.toThrow('called back more than once');
    }
  });

  it('keeps the first answer when a second comes in a later turn, and reports the second', async () => {
    const outcome = call((cb) => {
      cb(null, 'first');
      setTimeout(() => cb(new Error('second')), 10);
    });
    await expect(outcome.done).resolves.toBe('first');
    await sleep(30);
    expect(outcome.late).toEqual(['get: called back again after its answer was used']);
  });

  it('rejects with a timeout when no answer comes, and reports the late one', async () => {
    let callback: StoreCallback = () => undefined;
    const started = Date.now();
    const outcome = call((cb) => {
      callback = cb;
    });
    const failure = await outcome.done.catch((error: unknown) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(failure).toBeInstanceOf(ExpressSessionStoreTimeoutError);
    expect(failure).toMatchObject({ operation: 'get', timeoutMs: TIMEOUT_MS });
    callback(null, 'too late');
    expect(outcome.late).toEqual(['get: answered after the timeout']);
  });
});
