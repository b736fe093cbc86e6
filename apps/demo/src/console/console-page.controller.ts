import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
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

/** Serves the console: the page at `/` and its files under `/console/`. */
@Controller()
export class ConsolePageController {
  constructor(private readonly assets: ConsoleAssets) {}

  /** The console page. */
  @Get()
  index(@Res() res: Response): void {
    const page = this.assets.get(CONSOLE_INDEX);
    if (!page) throw new ConsoleAssetNotFoundError(CONSOLE_INDEX);
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    send(res, page);
  }

  /** One of the page's files (scripts, styles, icon). */
  @Get('console/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const asset = name === CONSOLE_INDEX ? undefined : this.assets.get(name);
    if (!asset) throw new ConsoleAssetNotFoundError(name);
    send(res, asset);
  }
}

/** Sends a file; Express adds an ETag and answers a matching `If-None-Match` with 304. */
function send(res: Response, asset: ConsoleAsset): void {
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(200).send(asset.body);
}
