import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';

/** Settings the demo reads from its environment. */
export interface DemoConfig {
  /** HTTP port. `PORT`, default 3000. */
  readonly port: number;
  /** Cookie-signing secret. `SESSION_SECRET`, or a random one made at start-up. */
  readonly sessionSecret: string;
}

/** Reads the demo's settings from `env`, warning when it has to invent a secret. */
export function readDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}".`);
  }
  let sessionSecret = env.SESSION_SECRET;
  if (!sessionSecret) {
    sessionSecret = randomBytes(48).toString('base64url');
    new Logger('Demo').warn(
      'SESSION_SECRET is not set: using a random secret, so sessions end when the demo restarts. ' +
        'Set SESSION_SECRET (32+ characters) to keep them.',
    );
  }
  return { port, sessionSecret };
}
