/** A Node-style callback: no argument on success, the error on failure. */
export type NodeCallback = (error?: Error) => void;

/**
 * Hands the outcome of `done` to `callback` as well, when there is one, and
 * returns `done` unchanged. The callback runs once, never synchronously;
 * with a callback, a failure never becomes an unhandled rejection, since the
 * callback is how the caller hears of it. A callback that throws is reported
 * to `onCallbackError` instead of crashing the process.
 */
export function withCallback(
  done: Promise<void>,
  callback: NodeCallback | undefined,
  onCallbackError: (error: unknown) => void,
): Promise<void> {
  if (!callback) return done;
  const call = (error?: Error): void => {
    try {
      if (error) callback(error);
      else callback();
    } catch (thrown) {
      onCallbackError(thrown);
    }
  };
  done.then(
    () => call(),
    (error: unknown) => call(error instanceof Error ? error : new Error(String(error))),
  );
  return done;
}
