/**
 * Primary hosts: how a library runs a service in the primary for every worker (the
 * cluster-shared session store is one) with no code in the user's primary.
 *
 * A library declares its host with `definePrimaryHost()` in a module it exports; its worker side
 * calls `startPrimaryHost()` with that same object. The primary starts the host once: from its
 * registry when the code attached it (`runtime.attachHost()`), or else by importing the module the
 * host names and checking that it exports that very host.
 */
import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { type PrimaryRuntime } from '../bootstrap/primary-runtime.interface.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { defineTopic } from '../messaging/topic.js';

const PRIMARY_HOST_BRAND = Symbol.for('nest-hive:primary-host');

/** A library's service that runs in the primary. Declare one with `definePrimaryHost()`. */
export interface PrimaryHost<Options> {
  /** The `@nest-hive/*` module that exports this host, e.g. `'@nest-hive/session/cluster'`. */
  readonly specifier: string;
  /** The name under which that module exports it. */
  readonly exportName: string;
  /** Checks the options a worker sends; the host is not started with anything else. */
  readonly isOptions: (value: unknown) => value is Options;
  /** Registers the host's handlers on the primary runtime. Runs once per primary. */
  attach(runtime: PrimaryRuntime, options: Options): void | Promise<void>;
  /**
   * Whether a failure of {@link attach} can never be mended by trying again (a damaged file, a
   * place it cannot write): the primary then logs it once and stops the cluster with exit code 1,
   * instead of letting every worker fail its start until the crash-loop guard gives up. Other
   * failures are answered to the asking worker, and a later request tries again.
   */
  readonly isFatal?: (error: unknown) => boolean;
}

/**
 * Declares a primary host.
 *
 * @example
 * ```ts
 * // @nest-hive/example/primary: a counter shared by every worker
 * export const counterHost = definePrimaryHost({
 *   specifier: '@nest-hive/example/primary',
 *   exportName: 'counterHost',
 *   isOptions: (value): value is { start: number } => typeof value === 'object' && value !== null,
 *   attach: (runtime, { start }) => {
 *     let value = start;
 *     runtime.handle(COUNTER_NEXT, () => ++value);
 *   },
 * });
 * ```
 */
export function definePrimaryHost<Options>(host: PrimaryHost<Options>): PrimaryHost<Options> {
  return Object.freeze({ ...host, [PRIMARY_HOST_BRAND]: true });
}

/** Runtime guard for a host made by `definePrimaryHost()` (of any copy of this package). */
export function isPrimaryHost(value: unknown): value is PrimaryHost<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Reflect.get(value, PRIMARY_HOST_BRAND) === true &&
    typeof Reflect.get(value, 'specifier') === 'string' &&
    typeof Reflect.get(value, 'exportName') === 'string' &&
    typeof Reflect.get(value, 'isOptions') === 'function' &&
    typeof Reflect.get(value, 'attach') === 'function' &&
    ['function', 'undefined'].includes(typeof Reflect.get(value, 'isFatal'))
  );
}

/** What a worker asks the primary to start. */
export interface PrimaryHostRequest {
  /** `PrimaryHost.specifier`: only `@nest-hive/*` packages. */
  readonly specifier: string;
  /** `PrimaryHost.exportName`. */
  readonly exportName: string;
  /** The options, checked by the host's `isOptions`. */
  readonly options: unknown;
}

const HOST_SPECIFIER = /^@nest-hive\/[a-z0-9-]+(?:\/[a-z0-9-]+)*$/;
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;

function isPrimaryHostRequest(value: unknown): value is PrimaryHostRequest {
  if (typeof value !== 'object' || value === null) return false;
  const specifier: unknown = Reflect.get(value, 'specifier');
  const exportName: unknown = Reflect.get(value, 'exportName');
  return (
    typeof specifier === 'string' &&
    HOST_SPECIFIER.test(specifier) &&
    typeof exportName === 'string' &&
    EXPORT_NAME.test(exportName)
  );
}

/** Built-in primary topic that starts a host. */
export const PRIMARY_HOST_TOPIC = defineTopic<PrimaryHostRequest, { started: true }>('nest-hive:host', {
  validate: isPrimaryHostRequest,
});

/**
 * From a worker: makes sure the primary runs `host` (started once per primary, with the options
 * of whichever worker asks first), and waits until it does.
 *
 * @example
 * ```ts
 * await startPrimaryHost(getProcessMessaging()!, clusterSessionHost, { memoryStore: {} });
 * ```
 */
export async function startPrimaryHost<Options>(
  messaging: ClusterMessaging,
  host: PrimaryHost<Options>,
  options: Options,
  timeoutMs?: number,
): Promise<void> {
  await messaging.request(
    PRIMARY_HOST_TOPIC,
    { specifier: host.specifier, exportName: host.exportName, options },
    { to: PRIMARY_ADDRESS, timeoutMs },
  );
}
