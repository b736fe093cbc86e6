import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { ClusterStateError } from '../cluster.errors.js';
import { type ClusterMessaging } from '../messaging/cluster-messaging.interface.js';
import { defineTopic } from '../messaging/topic.js';
import type { PrimaryRuntime } from './primary-runtime.js';

/** What a worker asks the primary to load. */
export interface PrimaryExtensionRequest {
  /** A package specifier under `@nest-hive/`, e.g. `@nest-hive/session/cluster`. */
  readonly specifier: string;
  /** Options handed to the extension the first time it attaches. */
  readonly options?: unknown;
}

/**
 * A module the primary can load on a worker's request. It attaches once per
 * primary, whichever worker asks first, and serves every worker from then on.
 */
export interface PrimaryExtensionModule {
  /** Registers the extension's handlers on the primary runtime. */
  attachToPrimary(runtime: PrimaryRuntime, options: unknown): void | Promise<void>;
}

/** Only packages of this project may be loaded on a worker's request. */
const EXTENSION_SPECIFIER = /^@nest-hive\/[a-z0-9-]+(?:\/[a-z0-9-]+)*$/;

function isExtensionRequest(value: unknown): value is PrimaryExtensionRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { specifier?: unknown }).specifier === 'string' &&
    EXTENSION_SPECIFIER.test((value as { specifier: string }).specifier)
  );
}

function isExtensionModule(value: unknown): value is PrimaryExtensionModule {
  return typeof (value as { attachToPrimary?: unknown } | null)?.attachToPrimary === 'function';
}

/** Built-in primary topic that loads an extension. */
export const PRIMARY_EXTENSION_TOPIC = defineTopic<PrimaryExtensionRequest, { attached: true }>(
  'nest-hive:extension',
  { validate: isExtensionRequest },
);

/**
 * Loads and attaches primary extensions, each once. A failed attach is
 * forgotten, so a later request tries again.
 */
export class PrimaryExtensions {
  private readonly attached = new Map<string, Promise<void>>();

  constructor(private readonly runtime: PrimaryRuntime) {}

  /** Loads `request.specifier` (once) and attaches it to the runtime. */
  async load(request: PrimaryExtensionRequest): Promise<{ attached: true }> {
    let attaching = this.attached.get(request.specifier);
    if (!attaching) {
      attaching = this.attach(request);
      this.attached.set(request.specifier, attaching);
      attaching.catch(() => this.attached.delete(request.specifier));
    }
    await attaching;
    return { attached: true };
  }

  private async attach({ specifier, options }: PrimaryExtensionRequest): Promise<void> {
    const loaded: unknown = await import(specifier);
    if (!isExtensionModule(loaded)) {
      throw new ClusterStateError(
        `${specifier} is not a primary extension: it exports no attachToPrimary().`,
      );
    }
    await loaded.attachToPrimary(this.runtime, options);
  }
}

/**
 * Asks the primary to load a `@nest-hive/*` primary extension (once per
 * primary) and waits until it is attached. Sibling packages use it to host a
 * service in the primary with no code there, e.g. the shared session store.
 *
 * @example
 * ```ts
 * await attachPrimaryExtension(getProcessMessaging()!, '@nest-hive/session/cluster', { maxSessions: 50_000 });
 * ```
 */
export async function attachPrimaryExtension(
  messaging: ClusterMessaging,
  specifier: string,
  options?: unknown,
  timeoutMs?: number,
): Promise<void> {
  await messaging.request(
    PRIMARY_EXTENSION_TOPIC,
    { specifier, options },
    { to: PRIMARY_ADDRESS, timeoutMs },
  );
}
