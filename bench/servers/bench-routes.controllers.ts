import { Controller, Get } from '@nestjs/common';
import { Session } from '@nest-hive/session';

/** `GET /bench/none`: a route that never uses the session, in every bench app. */
@Controller('bench')
export class NoneController {
  @Get('none')
  none(): { ok: true } {
    return { ok: true };
  }
}

/**
 * Microseconds of CPU the anchor's `/bench/read` spends on purpose (env `BENCH_EXTRA_CPU_US`,
 * default 0): the calibration of the session-route cases, which shows what a known amount of work
 * per request costs the measured ratio on this machine.
 */
const EXTRA_CPU_US = Number(process.env.BENCH_EXTRA_CPU_US ?? 0);

/** Keeps the CPU busy for `us` microseconds. */
function spin(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
}

/** The session routes' anchor: the same routes and answers as the session apps', without any session. */
@Controller('bench')
export class AnchorController extends NoneController {
  private count = 0;

  @Get('read')
  read(): { visits: number } {
    if (EXTRA_CPU_US > 0) spin(EXTRA_CPU_US);
    return { visits: this.count };
  }

  @Get('visits')
  visits(): { visits: number } {
    this.count += 1;
    return { visits: this.count };
  }
}

/** What the bench routes keep in a session. */
export interface BenchData {
  visits?: number;
}

/** The session routes through `@nest-hive/session`: `/bench/read` reads `visits`, `/bench/visits` increments it. */
@Controller('bench')
export class NestHiveController extends NoneController {
  @Get('read')
  read(@Session() s: Session<BenchData>): { visits: number } {
    return { visits: s.visits ?? 0 };
  }

  @Get('visits')
  visits(@Session() s: Session<BenchData>): { visits: number } {
    s.visits = (s.visits ?? 0) + 1;
    return { visits: s.visits };
  }
}
