import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CLUSTER_ENDPOINT_OPTIONS } from './cluster.providers.js';
import { ClusterEndpoint, type ClusterEndpointOptions } from './messaging/cluster-endpoint.js';

/**
 * The cluster, injectable: who am I (`self`), typed IPC as RxJS streams (`messages$`, `on()`),
 * `send`, `broadcast`, `request` / `request$` with timeouts, `handle`, the lifecycle `events$`
 * and the live `workers$` table. Works the same in a worker app, in the primary's Nest context,
 * and with `workers: 0` (local loopback). Its streams complete and its handlers are removed when
 * the app closes.
 *
 * @example
 * ```ts
 * @Controller('cluster')
 * class ClusterController {
 *   constructor(private readonly cluster: ClusterService) {}
 *
 *   @Get('workers')
 *   workers() { return this.cluster.workers(); }
 *
 *   @Post('broadcast')
 *   broadcast(@Body() body: { message: string }) {
 *     return this.cluster.broadcast(CHAT, body, { includeSelf: true });
 *   }
 * }
 * ```
 */
@Injectable()
export class ClusterService extends ClusterEndpoint implements OnApplicationShutdown {
  /** @param options - built by `ClusterModule` for the endpoint of this app. */
  constructor(@Inject(CLUSTER_ENDPOINT_OPTIONS) options: ClusterEndpointOptions) {
    super(options);
  }

  /** Closes the endpoint after the HTTP server stopped, so in-flight requests can still use it. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
