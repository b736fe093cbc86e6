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
 */
export async function createDemoHttpAdapter(kind: DemoHttpAdapter): Promise<AbstractHttpAdapter> {
  if (kind === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return new FastifyAdapter();
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  return new ExpressAdapter();
}
