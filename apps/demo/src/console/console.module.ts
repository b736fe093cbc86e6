import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ClusterMonitorModule } from '@nest-hive/cluster/monitor';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleController } from './console.controller.js';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options.js';
import { ConsolePageController } from './console-page.controller.js';
import { MonitorController } from './monitor.controller.js';
import { newConnectionPerRequest } from './new-connection.middleware.js';

/**
 * The live cluster console: the page at `/` (files from `apps/demo/public`), its settings at
 * `GET /api/console/config`, the monitor's samples at `GET /api/console/monitor` and the kill route
 * `POST /api/console/workers/:id/kill`. The page
 * itself uses the demo's existing session and cluster routes and event stream.
 */
@Module({})
export class ConsoleModule implements NestModule {
  /** Builds the module; `allowKill` comes from `DEMO_ALLOW_KILL=1`, `allowChaos` from `DEMO_ALLOW_CHAOS=1`. */
  static forOptions(options: ConsoleOptions): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [ClusterMonitorModule.forRoot()],
      controllers: [ConsolePageController, ConsoleController, MonitorController],
      providers: [
        {
          provide: CONSOLE_OPTIONS,
          useValue: { allowKill: options.allowKill, allowChaos: options.allowChaos },
        },
        { provide: ConsoleAssets, useFactory: () => ConsoleAssets.load() },
      ],
    };
  }

  /** Mounts the per-request `Connection: close` switch the page uses to spread its requests. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(newConnectionPerRequest).forRoutes('*');
  }
}
