import { Inject, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CLUSTER_ENDPOINT } from './cluster.providers.js';
import { type ClusterEndpoint } from './messaging/cluster-endpoint.js';

/**
 * Hands the app's HTTP server (if any) to the cluster runtime before it starts listening, so a
 * leaving worker can drain keep-alive connections gracefully.
 */
@Injectable()
export class ClusterHttpBinding implements OnApplicationBootstrap {
  /**
   * @param endpoint - this app's endpoint.
   * @param adapterHost - Nest's HTTP adapter host (absent in application contexts).
   */
  constructor(
    @Inject(CLUSTER_ENDPOINT) private readonly endpoint: ClusterEndpoint,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  /** Runs during `app.init()`, i.e. before `listen()`. */
  onApplicationBootstrap(): void {
    const adapter: unknown = this.adapterHost?.httpAdapter;
    if (typeof adapter !== 'object' || adapter === null) return;
    const getHttpServer: unknown = Reflect.get(adapter, 'getHttpServer');
    if (typeof getHttpServer !== 'function') return;
    const server: unknown = getHttpServer.call(adapter);
    this.endpoint.adoptHttpServer(server);
  }
}
