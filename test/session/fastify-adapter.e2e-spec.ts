import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import fastify from 'fastify';
import { RequestSessionDecoratedError, SessionModule } from '@nest-hive/session';
import { CapturingLogger, TEST_SECRET } from '../support/session-app.js';

@Module({ imports: [SessionModule.forRoot({ secret: TEST_SECRET })] })
class FastifyAppModule {}

/** What only Fastify has: its own session plugin, which cannot share `req.session` with ours. */
describe('SessionModule next to @fastify/session', () => {
  it('start-up fails with RequestSessionDecoratedError when the Fastify instance already has @fastify/session', async () => {
    const instance = fastify();
    await instance.register(fastifyCookie);
    await instance.register(fastifySession, { secret: TEST_SECRET });
    const adapter = new FastifyAdapter(instance);
    const app = await NestFactory.create(FastifyAppModule, adapter, {
      logger: new CapturingLogger(),
      abortOnError: false,
    });
    try {
      const listening = app.listen(0, '127.0.0.1');
      await expect(listening).rejects.toBeInstanceOf(RequestSessionDecoratedError);
      await expect(listening).rejects.toThrow(/register only one of them/);
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
