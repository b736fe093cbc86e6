import type { AbstractHttpAdapter } from '@nestjs/core';
import type { DemoHttpAdapter } from './demo-config.js';

/** The adapter's name as the start-up log shows it. */
export const HTTP_ADAPTER_LABEL: Readonly<Record<DemoHttpAdapter, string>> = {
  express: 'Express',
  fastify: 'Fastify',
};

/**
 * A fresh Nest HTTP adapter of the configured kind. Fastify's is imported
 * only when asked for, so the Express demo never loads it.
 *
 * Fastify answers 503 to every request that reaches it once `close()` has
 * begun (`return503OnClosing`, on by default), including requests on
 * kept-alive connections while a leaving worker drains them. The cluster
 * drains those connections itself (each gets `Connection: close` and is
 * served), so the demo turns that off: a rolling restart or a shutdown then
 * fails no request.
 */
export async function createDemoHttpAdapter(kind: DemoHttpAdapter): Promise<AbstractHttpAdapter> {
  if (kind === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return new FastifyAdapter({ return503OnClosing: false });
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  return new ExpressAdapter();
}
