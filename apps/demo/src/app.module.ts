import { type DynamicModule, Module } from '@nestjs/common';
import { SessionModule } from '@nest-hive/session';
import { PingController } from './api/ping.controller.js';
import { SessionController } from './api/session.controller.js';
import { SlowController } from './api/slow.controller.js';
import type { DemoConfig } from './demo-config.js';

/** The demo application. */
@Module({})
export class AppModule {
  /** Builds the module for a given configuration. */
  static forConfig(config: DemoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [SessionModule.forRoot({ secret: config.sessionSecret })],
      controllers: [PingController, SessionController, SlowController],
    };
  }
}
