import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleAssetsMissingError } from './console.errors.js';

/**
 * The folder with the console's page: `apps/demo/public`. Resolved from this file, which sits at
 * the same depth in `src/console/` (tests) and `dist/console/` (the compiled demo).
 */
export const CONSOLE_PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** The page's entry file; served at `/`. */
export const CONSOLE_INDEX = 'index.html';

/** Content types of the files the console serves; other files in the folder are not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Names a served file may have: flat, lower-case, no dot files, no path separators. */
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.[a-z0-9]+$/;

/** One file of the page, held in memory. */
export interface ConsoleAsset {
  /** The file's bytes. */
  readonly body: Buffer;
  /** Its `Content-Type`. */
  readonly contentType: string;
  /** A strong entity tag of the bytes, for `ETag` and `If-None-Match`. */
  readonly etag: string;
}

/**
 * The console's files, read once at start-up (they are small and never change while the demo
 * runs). Only names that were in the folder at start-up can be served, so a request can never
 * reach outside it.
 */
export class ConsoleAssets {
  private constructor(private readonly files: ReadonlyMap<string, ConsoleAsset>) {}

  /**
   * Reads every servable file of `folder`.
   *
   * @throws ConsoleAssetsMissingError when the folder or its `index.html` is missing.
   */
  static async load(folder: string = CONSOLE_PUBLIC_DIR): Promise<ConsoleAssets> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      throw new ConsoleAssetsMissingError(folder, error);
    }
    const files = new Map<string, ConsoleAsset>();
    for (const name of names.sort()) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (!contentType || !ASSET_NAME.test(name)) continue;
      const body = await readFile(join(folder, name));
      files.set(name, { body, contentType, etag: entityTag(body) });
    }
    if (!files.has(CONSOLE_INDEX)) throw new ConsoleAssetsMissingError(folder);
    return new ConsoleAssets(files);
  }

  /** The file called `name`, or `undefined`. */
  get(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }

  /** The served file names, sorted. */
  names(): string[] {
    return [...this.files.keys()];
  }
}

/** A strong entity tag of `body`: its SHA-256, quoted. */
function entityTag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}
