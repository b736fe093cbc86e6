import {
  ExpressSessionStoreContractError,
  ExpressSessionStoreTimeoutError,
  type ExpressStoreOperation,
} from './express-session-store.errors.js';

/** The callback a callback-style store method is handed. */
export type StoreCallback = (error?: unknown, value?: unknown) => void;

/** Hears about answers that came too late to count. */
export type LateAnswerListener = (operation: ExpressStoreOperation, what: string) => void;

/**
 * Calls one callback-style store method and turns its answer into a promise
 * that always settles, whatever the store does:
 * - its callback's error rejects, its value resolves;
 * - a synchronous throw, or a rejected promise returned instead of calling
 *   back, rejects;
 * - no answer within `timeoutMs` rejects with
 *   {@link ExpressSessionStoreTimeoutError} (an answer within it counts,
 *   even when the turn that hands it on starts after the deadline);
 * - a second answer that arrives before the first was handed on (in the
 *   same turn of the event loop) rejects with
 *   {@link ExpressSessionStoreContractError}, since the store cannot be
 *   trusted on either; any answer after that is ignored and reported to
 *   `onLate`.
 */
export function callStore(
  operation: ExpressStoreOperation,
  invoke: (callback: StoreCallback) => unknown,
  timeoutMs: number,
  onLate: LateAnswerListener,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let answer: { error: unknown; value: unknown } | undefined;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const callback: StoreCallback = (error, value) => {
      if (settled) {
        onLate(
          operation,
          answer ? 'called back again after its answer was used' : 'answered after the timeout',
        );
        return;
      }
      if (answer) {
        settle(() => reject(new ExpressSessionStoreContractError(operation, 'called back more than once')));
        return;
      }
      answer = { error, value };
      // Handed on in the next turn, so that a second answer in this one is caught.
      setImmediate(() => settle(() => (error ? reject(asError(operation, error)) : resolve(value))));
    };
    // An answer already in came in time: the turn that hands it on settles, even when a stalled event loop
    // (a long GC pause, a starved CPU) runs this timer first.
    const timer = setTimeout(() => {
      if (!answer) settle(() => reject(new ExpressSessionStoreTimeoutError(operation, timeoutMs)));
    }, timeoutMs);
    timer.unref();
    try {
      const returned = invoke(callback);
      if (isThenable(returned)) {
        returned.then(undefined, (error: unknown) =>
          callback(error ?? new ExpressSessionStoreContractError(operation, 'returned a rejected promise')),
        );
      }
    } catch (error) {
      callback(new ExpressSessionStoreContractError(operation, 'threw', error));
    }
  });
}

function asError(operation: ExpressStoreOperation, error: unknown): Error {
  return error instanceof Error
    ? error
    : new ExpressSessionStoreContractError(operation, `called back a non-Error (${typeof error})`, error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
