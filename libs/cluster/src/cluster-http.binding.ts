import { Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ClusterService } from './cluster.service.js';

/**
 * Hands the app's HTTP server (if any) to the cluster runtime before it starts listening, so a
 * leaving worker can drain keep-alive connections gracefully.
 */
@Injectable()
export class ClusterHttpBinding implements OnApplicationBootstrap {
  /**
   * @param cluster - this app's service.
   * @param adapterHost - Nest's HTTP adapter host (absent in application contexts).
   */
  constructor(
    private readonly cluster: ClusterService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** Runs during `app.init()`, i.e. before `listen()`. */
  onApplicationBootstrap(): void {
    const adapter: unknown = this.adapterHost?.httpAdapter;
    if (typeof adapter !== 'object' || adapter === null) return;
    const getHttpServer: unknown = Reflect.get(adapter, 'getHttpServer');
    if (typeof getHttpServer !== 'function') return;
    const server: unknown = getHttpServer.call(adapter);
    this.cluster.adoptHttpServer(server);
  }
}
