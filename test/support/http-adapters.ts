import type { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { HOOK_COOKIE } from './probe-replies.controllers.js';
import type { ReliabilityFigure } from './reliability-record.js';

/** The HTTP adapters the session and cluster suites run on. */
export type HttpAdapterName = 'express' | 'fastify';

/** Every adapter, for `describe.each(HTTP_ADAPTERS)`. */
export const HTTP_ADAPTERS: readonly HttpAdapterName[] = ['express', 'fastify'];

/** A fresh adapter instance of that kind. */
export function createHttpAdapter(name: HttpAdapterName): ExpressAdapter | FastifyAdapter {
  return name === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
}

/**
 * `NestFactory.create(module)` on the named adapter; a Fastify app is
 * prepared by {@link prepareFastifyApp}.
 */
export async function createAppOn(
  name: HttpAdapterName,
  module: Type<unknown>,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const adapter = createHttpAdapter(name);
  const app = await NestFactory.create(module, adapter, options);
  if (adapter instanceof FastifyAdapter) await prepareFastifyApp(adapter);
  return app;
}

/**
 * What a Fastify test app gets before it listens: `@fastify/cookie` (for
 * `reply.setCookie`) and an `onSend` hook on `/probe/on-send` that adds a
 * header, a Set-Cookie and a body field as the response leaves.
 */
export async function prepareFastifyApp(adapter: FastifyAdapter): Promise<void> {
  const fastify: FastifyInstance = adapter.getInstance();
  await fastify.register(fastifyCookie);
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/probe/on-send')) return payload;
    reply.header('x-on-send', '1');
    reply.header('set-cookie', HOOK_COOKIE);
    const body = JSON.parse(String(payload)) as object;
    return JSON.stringify({ ...body, hooked: true });
  });
}

/**
 * The key of a recorded figure for this adapter: Express keeps the plain key
 * (the Reliability table of docs/reliability.md), other adapters get theirs prefixed
 * (`fastify.rolling.failed`).
 */
export function figuresOn(
  adapter: HttpAdapterName,
  figures: Record<string, ReliabilityFigure>,
): Record<string, ReliabilityFigure> {
  if (adapter === 'express') return figures;
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [`${adapter}.${key}`, value]));
}
