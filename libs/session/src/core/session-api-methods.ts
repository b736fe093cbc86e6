import type { RegenerateOptions } from '../session.interfaces.js';
import { withCallback, type NodeCallback } from './session-callback.js';
import type { SessionLog } from './session-log.js';
import type { SessionMethodName } from './session-proxy.js';

/** The session operations behind the API methods. */
export interface SessionApiTarget {
  /** Hears that the session may change (its response is then held for the commit). */
  noteMayChange(): void;
  /** `SessionApi.regenerate`, with checked options. */
  regenerate(options: RegenerateOptions): Promise<void>;
  /** `SessionApi.destroy`. */
  destroy(): Promise<void>;
  /** `SessionApi.save`. */
  save(): Promise<void>;
  /** `SessionApi.reload`. */
  reload(): Promise<void>;
  /** `SessionApi.touch`. */
  touch(): Promise<void>;
}

/** An API method as the session objects hand it out. */
export type SessionApiMethod = (...args: unknown[]) => Promise<void>;

/**
 * The API method `name` of `target`, as the proxies hand it out: it returns
 * a promise and takes an optional Node-style callback (express-session's
 * signatures, which Passport calls). Bad arguments reject; they never throw
 * synchronously. A callback that throws is logged.
 */
export function createApiMethod(
  name: SessionMethodName,
  target: SessionApiTarget,
  log: SessionLog,
): SessionApiMethod {
  switch (name) {
    case 'regenerate':
      return (first?: unknown, second?: unknown) =>
        typeof first === 'function'
          ? settle(target, log, name, first, () => target.regenerate({}))
          : settle(target, log, name, second, () => target.regenerate(regenerateOptions(first)));
    case 'destroy':
      return (callback?: unknown) => settle(target, log, name, callback, () => target.destroy());
    case 'save':
      return (callback?: unknown) => settle(target, log, name, callback, () => target.save());
    case 'reload':
      return (callback?: unknown) => settle(target, log, name, callback, () => target.reload());
    case 'touch':
      return (callback?: unknown) => settle(target, log, name, callback, () => target.touch());
  }
}

/** Runs one API call: notes the coming change, checks the callback, and hands it the outcome. */
function settle(
  target: SessionApiTarget,
  log: SessionLog,
  method: SessionMethodName,
  callback: unknown,
  run: () => Promise<void>,
): Promise<void> {
  target.noteMayChange();
  let done: Promise<void>;
  let nodeCallback: NodeCallback | undefined;
  try {
    nodeCallback = optionalCallback(method, callback);
    done = run();
  } catch (error) {
    done = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return withCallback(done, nodeCallback, (error) => log.reportCallbackFailure(method, error));
}

/** Checks the options argument of `regenerate()`. */
export function regenerateOptions(options: unknown): RegenerateOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw new TypeError('session.regenerate() takes an options object ({ keepData }) and/or a callback.');
  }
  const keepData: unknown = (options as { keepData?: unknown }).keepData;
  return { keepData: keepData === true };
}

/** Checks a callback argument: a function or nothing. */
export function optionalCallback(method: SessionMethodName, callback: unknown): NodeCallback | undefined {
  if (callback === undefined || callback === null) return undefined;
  if (typeof callback !== 'function') {
    throw new TypeError(`session.${method}() takes an optional callback function, got ${typeof callback}.`);
  }
  return callback as NodeCallback;
}
