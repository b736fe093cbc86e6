import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
} from '@nestjs/common';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';
import { blockEventLoop, holdMemory, MAX_BLOCK_MS, MAX_LEAK_MB } from './chaos.js';

/** Injection token: whether the chaos routes are on (`DEMO_ALLOW_CHAOS=1`). */
export const CHAOS_ENABLED = Symbol('CHAOS_ENABLED');

/** A whole number in `1..max` read from a JSON body field, or `null`. */
function wholeNumber(value: unknown, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : null;
}

/**
 * `POST /api/chaos/leak` and `POST /api/chaos/block`: faults a visitor can cause to watch the
 * restart rules fire (`WORKER_MAX_MEMORY_MB`, `WORKER_HANG_TIMEOUT_MS`). Off unless the demo runs
 * with `DEMO_ALLOW_CHAOS=1`; each answers with the worker it hit.
 */
@Controller('api/chaos')
export class ChaosController {
  constructor(@Inject(CHAOS_ENABLED) private readonly enabled: boolean) {}

  /** Makes the worker that answers hold `mb` more MiB of memory (1 to 1024), until it exits. */
  @Post('leak')
  @HttpCode(HttpStatus.OK)
  async leak(@Body() body: unknown): Promise<ProcessIdentity & { heldMb: number }> {
    this.checkEnabled();
    const mb = wholeNumber((body as { mb?: unknown } | null)?.mb, MAX_LEAK_MB);
    if (mb === null) throw new BadRequestException(`mb must be a whole number from 1 to ${MAX_LEAK_MB}.`);
    return { ...processIdentity(), heldMb: await holdMemory(mb) };
  }

  /** Answers, then blocks the event loop of the worker that answered for `ms` (1 to 120 000). */
  @Post('block')
  @HttpCode(HttpStatus.OK)
  block(@Body() body: unknown): ProcessIdentity & { ms: number } {
    this.checkEnabled();
    const ms = wholeNumber((body as { ms?: unknown } | null)?.ms, MAX_BLOCK_MS);
    if (ms === null) throw new BadRequestException(`ms must be a whole number from 1 to ${MAX_BLOCK_MS}.`);
    blockEventLoop(ms);
    return { ...processIdentity(), ms };
  }

  private checkEnabled(): void {
    if (!this.enabled) {
      throw new ForbiddenException('The chaos routes are off: start the demo with DEMO_ALLOW_CHAOS=1.');
    }
  }
}
