import { type DynamicModule, Module } from '@nestjs/common';
import { ClusterModule } from '@nest-hive/cluster';
import { ClusterMetricsModule } from '@nest-hive/cluster/metrics';
import { ClusterLeaderModule } from '@nest-hive/cluster/leader';
import { ClusterHealthModule } from '@nest-hive/cluster/terminus';
import { SessionModule } from '@nest-hive/session';
import { SessionMetricsModule } from '@nest-hive/session/metrics';
import { SessionHealthModule } from '@nest-hive/session/terminus';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { ClusterController } from './api/cluster.controller.js';
import { PingController } from './api/ping.controller.js';
import { SessionController } from './api/session.controller.js';
import { SlowController } from './api/slow.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { CHAOS_ENABLED, ChaosController } from './chaos/chaos.controller.js';
import { InboxService } from './cluster/inbox.service.js';
import { ChatModule } from './chat/chat.module.js';
import { ConsoleModule } from './console/console.module.js';
import type { DemoConfig } from './demo-config.js';
import { demoClusterOptions, demoLeaderOptions, demoSessionOptions } from './demo-options.js';
import { JobsController } from './jobs/jobs.controller.js';
import { LeaderController } from './jobs/leader.controller.js';
import { LeaderTicksService } from './jobs/leader-ticks.service.js';
import { HealthController } from './ops/health.controller.js';
import { MetricsController } from './ops/metrics.controller.js';

/** The demo application, as each worker runs it. */
@Module({})
export class AppModule {
  /** Builds the module for a given configuration. */
  static forConfig(config: DemoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ClusterModule.forRootAsync({ useFactory: () => demoClusterOptions(config) }),
        SessionModule.forRootAsync({ useFactory: () => demoSessionOptions(config) }),
        ConsoleModule.forOptions({ allowKill: config.allowKill, allowChaos: config.allowChaos }),
        AuthModule,
        ChatModule,
        TerminusModule,
        ClusterHealthModule,
        SessionHealthModule,
        ClusterMetricsModule.forRoot(),
        SessionMetricsModule.forRoot(),
        ScheduleModule.forRoot(),
        ClusterLeaderModule.forRoot(demoLeaderOptions(config)),
      ],
      controllers: [
        PingController,
        SessionController,
        SlowController,
        ClusterController,
        HealthController,
        MetricsController,
        ChaosController,
        JobsController,
        LeaderController,
      ],
      providers: [InboxService, LeaderTicksService, { provide: CHAOS_ENABLED, useValue: config.allowChaos }],
    };
  }
}
