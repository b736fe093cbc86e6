import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SessionModuleOptions } from './session-options.interface.js';

/** Extra `forRoot`/`forRootAsync` settings that shape the module itself. */
export interface SessionModuleExtras {
  /** Register the module globally, so `SessionService` can be injected anywhere. Default `true`. */
  isGlobal?: boolean;
}

/**
 * The session module's `forRoot` / `forRootAsync` definition:
 * `SESSION_MODULE_OPTIONS` is the injection token of the options, and the
 * module is global unless `isGlobal: false`.
 */
export const {
  ConfigurableModuleClass: ConfigurableSessionModule,
  MODULE_OPTIONS_TOKEN: SESSION_MODULE_OPTIONS,
  OPTIONS_TYPE: SESSION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SESSION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionModuleOptions>({ moduleName: 'Session' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSessionOptions')
  .setExtras<SessionModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Options of `SessionModule.forRoot()`, with the module extras. */
export type SessionModuleForRootOptions = typeof SESSION_OPTIONS_TYPE;
/** Options of `SessionModule.forRootAsync()`, with the module extras. */
export type SessionModuleAsyncOptions = typeof SESSION_ASYNC_OPTIONS_TYPE;
