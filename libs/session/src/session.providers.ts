import { Logger, type Provider } from '@nestjs/common';
import { SessionRuntime } from './core/session-runtime.js';
import { SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { resolveSessionConfig } from './session-config.js';
import type { SessionModuleOptions } from './session-options.interface.js';
import { SessionStore } from './session-store.interface.js';
import { createDefaultSessionStore } from './stores/default-session-store.js';

/**
 * The active store: the one given in the options, else the default for where the app runs. It is
 * opened here (`store.open()`), so a store that cannot work stops the start.
 */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  useFactory: async (options: SessionModuleOptions): Promise<SessionStore> => {
    const store = options.store ?? (await createDefaultSessionStore(options));
    await store.open?.();
    return store;
  },
  inject: [SESSION_MODULE_OPTIONS],
};

/** The runtime every request shares; options are validated here, at start-up. */
export const sessionRuntimeProvider: Provider = {
  provide: SessionRuntime,
  useFactory: (options: SessionModuleOptions, store: SessionStore): SessionRuntime =>
    new SessionRuntime(resolveSessionConfig(options), store, new Logger('SessionModule')),
  inject: [SESSION_MODULE_OPTIONS, SessionStore],
};
