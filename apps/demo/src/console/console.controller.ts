import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  ParseIntPipe,
  Post,
} from '@nestjs/common';
import { ClusterService, type ClusterMode } from '@nest-hive/cluster';
import { KILL_WORKER, type KilledWorker } from './kill-worker.topic.js';
import { CONSOLE_MAX_WORKERS, SCALE_WORKERS, isConsoleWorkerCount } from './scale-workers.topic.js';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options.js';
import {
  CrossOriginKillError,
  KillDisabledError,
  ScaleDisabledError,
  ScaleRefusedError,
  UnknownWorkerError,
  WorkerNotKillableError,
} from './console.errors.js';
import { isSameOriginOrNoOrigin } from './same-origin.js';

/** What the page learns at start: `GET /api/console/config`. */
export interface ConsoleConfigView {
  /** Whether to show kill buttons: `DEMO_ALLOW_KILL=1` and forked workers. */
  readonly allowKill: boolean;
  /** Whether to show the chaos buttons (leak memory, block the event loop): `DEMO_ALLOW_CHAOS=1`. */
  readonly allowChaos: boolean;
  /** `'cluster'` with forked workers, `'loopback'` with `WORKERS=0`. */
  readonly mode: ClusterMode;
  /** The server's clock (epoch ms), so the page can show uptimes with the server's time. */
  readonly serverTime: number;
}

/** Timeout of the kill request to the primary. */
const KILL_TIMEOUT_MS = 2_000;

/** The console's JSON routes. */
@Controller('api/console')
export class ConsoleController {
  constructor(
    private readonly cluster: ClusterService,
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
  ) {}

  /** The page's settings. */
  @Get('config')
  config(): ConsoleConfigView {
    const mode = this.cluster.self.mode;
    return {
      allowKill: this.options.allowKill && mode === 'cluster',
      allowChaos: this.options.allowChaos,
      mode,
      serverTime: Date.now(),
    };
  }

  /**
   * Asks the primary to `SIGKILL` worker `id`; the supervisor then forks a replacement in its slot.
   * 202 with the killed worker; 403 when killing is disabled or the request comes from a page of
   * another origin; 404 when no live worker has that id; 409 for the in-process worker of
   * `WORKERS=0`.
   */
  @Post('workers/:id/kill')
  @HttpCode(HttpStatus.ACCEPTED)
  async kill(
    @Param('id', ParseIntPipe) id: number,
    @Headers('origin') origin: string | undefined,
    @Headers('host') host: string | undefined,
  ): Promise<KilledWorker> {
    if (!this.options.allowKill) throw new KillDisabledError();
    if (!isSameOriginOrNoOrigin(origin, host)) throw new CrossOriginKillError(origin ?? '');
    const reply = await this.cluster.request(
      KILL_WORKER,
      { workerId: id },
      { to: 'primary', timeoutMs: KILL_TIMEOUT_MS },
    );
    switch (reply.outcome) {
      case 'killed':
        return reply.worker;
      case 'unknown':
        throw new UnknownWorkerError(id);
      case 'in-process':
        throw new WorkerNotKillableError(id);
    }
  }

  /**
   * Asks the primary to run `workers` workers (1 to 8): 202 with `{ desired }` once the scaling
   * started; 400 for another count; 403 when the console's controls are disabled or the request
   * comes from a page of another origin; 409 when the cluster cannot scale now.
   */
  @Post('scale')
  @HttpCode(HttpStatus.ACCEPTED)
  async scale(
    @Body() body: { workers?: unknown } | undefined,
    @Headers('origin') origin: string | undefined,
    @Headers('host') host: string | undefined,
  ): Promise<{ desired: number }> {
    if (!this.options.allowKill) throw new ScaleDisabledError();
    if (!isSameOriginOrNoOrigin(origin, host)) throw new CrossOriginKillError(origin ?? '');
    const workers = body?.workers;
    if (!isConsoleWorkerCount(workers)) {
      throw new BadRequestException(
        `Body must be { "workers": <a whole number from 1 to ${CONSOLE_MAX_WORKERS}> }.`,
      );
    }
    const reply = await this.cluster.request(
      SCALE_WORKERS,
      { workers },
      { to: 'primary', timeoutMs: KILL_TIMEOUT_MS },
    );
    if (reply.outcome === 'refused') throw new ScaleRefusedError(reply.reason);
    return { desired: reply.desired };
  }
}
