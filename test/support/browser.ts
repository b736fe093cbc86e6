import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { skipAllowed, skipHint } from './allow-skip.js';

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, headless Chromium in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium is needed but not installed. */
export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
  constructor(readonly path: string = CHROMIUM_PATH) {
    super(
      `Chromium is not installed at ${path}. Install Debian's package: ` +
        '`apt-get update && apt-get install -y chromium` (never `npx playwright install`). ' +
        skipHint('chromium'),
    );
  }
}

/** Whether the browser tests can run, must fail, or are skipped (no Chromium, and `NEST_HIVE_ALLOW_SKIP=chromium`). */
export type BrowserSuiteMode = 'run' | 'fail' | 'skip';

/** `run` when Chromium is installed; otherwise `skip` if `NEST_HIVE_ALLOW_SKIP` names `chromium`, else `fail`. */
export function browserSuiteMode(
  env: NodeJS.ProcessEnv = process.env,
  path: string = CHROMIUM_PATH,
): BrowserSuiteMode {
  if (existsSync(path)) return 'run';
  return skipAllowed('chromium', env) ? 'skip' : 'fail';
}

/** A running Chromium with its own empty profile folder. */
export interface RunningBrowser {
  context: BrowserContext;
  /** Closes the browser and deletes its profile folder. */
  close(): Promise<void>;
}

/** Launches Debian's Chromium with an empty temporary `--user-data-dir` and a desktop viewport. */
export async function launchChromium(): Promise<RunningBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new ChromiumMissingError();
  const profile = await mkdtemp(join(tmpdir(), 'nest-hive-chromium-'));
  try {
    // launchPersistentContext passes the folder as --user-data-dir (launch() refuses that flag).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
    context.setDefaultTimeout(10_000);
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
