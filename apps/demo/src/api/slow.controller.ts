import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Query } from '@nestjs/common';

/** Longest wait `/api/slow` accepts. */
const MAX_SLOW_MS = 10_000;

/** `GET /api/slow?ms=N`: waits, then answers; for watching graceful shutdowns. */
@Controller('api')
export class SlowController {
  /** Waits `ms` milliseconds (capped at 10 000), then answers with the pid. */
  @Get('slow')
  async slow(@Query('ms') ms?: string): Promise<{ pid: number }> {
    const wait = Math.min(Math.max(Number(ms) || 0, 0), MAX_SLOW_MS);
    await sleep(wait);
    return { pid: process.pid };
  }
}
