import { Controller, Get, Headers, Param, Res, StreamableFile } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CONSOLE_INDEX, ConsoleAssets, type ConsoleAsset } from './console-assets.js';
import { ConsoleAssetNotFoundError } from './console.errors.js';

/**
 * The page's Content Security Policy: everything comes from the demo itself. No inline script or
 * style, no other origin, no framing.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the console: the page at `/` and its files under `/console/`, through the HTTP adapter's
 * own reply methods, so the same code runs on Express and on Fastify. Files carry an `ETag`; a
 * matching `If-None-Match` gets a 304 without a body.
 */
@Controller()
export class ConsolePageController {
  constructor(
    private readonly assets: ConsoleAssets,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The console page. */
  @Get()
  index(@Res() res: unknown, @Headers('if-none-match') ifNoneMatch?: string): void {
    const page = this.assets.get(CONSOLE_INDEX);
    if (!page) throw new ConsoleAssetNotFoundError(CONSOLE_INDEX);
    const http = this.adapterHost.httpAdapter;
    http.setHeader(res, 'Content-Security-Policy', CONSOLE_CSP);
    http.setHeader(res, 'Referrer-Policy', 'no-referrer');
    this.send(res, page, ifNoneMatch);
  }

  /** One of the page's files (scripts, styles, icon). */
  @Get('console/:name')
  asset(
    @Param('name') name: string,
    @Res() res: unknown,
    @Headers('if-none-match') ifNoneMatch?: string,
  ): void {
    const asset = name === CONSOLE_INDEX ? undefined : this.assets.get(name);
    if (!asset) throw new ConsoleAssetNotFoundError(name);
    this.send(res, asset, ifNoneMatch);
  }

  private send(res: unknown, asset: ConsoleAsset, ifNoneMatch: string | undefined): void {
    const http = this.adapterHost.httpAdapter;
    http.setHeader(res, 'Cache-Control', 'no-cache');
    http.setHeader(res, 'X-Content-Type-Options', 'nosniff');
    http.setHeader(res, 'ETag', asset.etag);
    if (matchesEntityTag(ifNoneMatch, asset.etag)) {
      http.reply(res, undefined, 304);
      return;
    }
    const file = new StreamableFile(asset.body, { type: asset.contentType, length: asset.body.length });
    http.reply(res, file, 200);
  }
}

/** Whether an `If-None-Match` header names `etag` (or is `*`); weak comparison, as RFC 9110 asks. */
function matchesEntityTag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
