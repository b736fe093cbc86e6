import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { SessionModule, type SessionModuleOptions } from '@nest-hive/session';
import { CountingStore } from './counting-store.js';
import { createAppOn, type HttpAdapterName } from './http-adapters.js';
import { replyProbeControllerFor } from './probe-replies.controllers.js';
import { ProbeController } from './probe.controller.js';

/** A 48-character test secret. */
export const TEST_SECRET = 'k3Jq9vXw2LmN8pRt5YbZc7Hd4Fg6Ts1Ue0Wa-_Qi9Oy2Mx7';
/** A second, different test secret. */
export const OTHER_SECRET = 'Zp4Lw8Nq2Vx6Br0Ts5Yk9Hm3Jd7Fc1Ga-_Ue8Qi4Oy6Mx2Ce';

/** The base URL of an app listening on 127.0.0.1. */
export function appUrl(app: INestApplication): string {
  const server = app.getHttpServer() as Server;
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Log lines captured from a test app. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: unknown): void {
    this.push('log', message);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const parts = [message, ...rest].filter((part) => part !== undefined);
    this.push('error', parts.map(describe).join(' '));
  }
  warn(message: unknown): void {
    this.push('warn', message);
  }
  debug(message: unknown): void {
    this.push('debug', message);
  }
  verbose(message: unknown): void {
    this.push('verbose', message);
  }
  text(): string {
    return this.lines.map((line) => `${line.level}: ${line.message}`).join('\n');
  }
  private push(level: string, message: unknown): void {
    this.lines.push({ level, message: String(message) });
  }
}

function describe(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.stack ?? `${part.name}: ${part.message}`;
  return JSON.stringify(part);
}

/** A running test app with real HTTP on 127.0.0.1. */
export interface SessionTestApp {
  app: INestApplication;
  url: string;
  store: CountingStore;
  logger: CapturingLogger;
  close(): Promise<void>;
}

/** Options of {@link startSessionApp}. */
export interface SessionTestAppOptions {
  session?: Partial<SessionModuleOptions>;
  controllers?: Type<unknown>[];
  store?: CountingStore;
  /** The HTTP adapter (default Express). */
  adapter?: HttpAdapterName;
}

/**
 * Starts a Nest app with `SessionModule` over a counting store and the probe
 * routes, on Express or Fastify. Wherever `ProbeController` is mounted, the
 * adapter's reply-probe controller (the routes that answer through `res` or
 * `reply`) comes with it. A Fastify app gets `@fastify/cookie` and the
 * `onSend` hook of `/probe/on-send`.
 */
export async function startSessionApp(options: SessionTestAppOptions = {}): Promise<SessionTestApp> {
  const store = options.store ?? new CountingStore();
  const logger = new CapturingLogger();
  const adapter = options.adapter ?? 'express';
  const controllers = [...(options.controllers ?? [ProbeController])];
  if (controllers.includes(ProbeController)) controllers.push(replyProbeControllerFor(adapter));

  @Module({
    imports: [SessionModule.forRoot({ secret: TEST_SECRET, store, ...options.session })],
    controllers,
  })
  class TestAppModule {}

  const app = await createAppOn(adapter, TestAppModule, { logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: appUrl(app),
    store,
    logger,
    close: () => app.close(),
  };
}
