import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidSessionOptionsError, SessionModule, type SessionModuleOptions } from '@nest-hive/session';
import { freePort, startNode } from '../support/processes.js';
import { recordReliability } from '../support/reliability-record.js';
import { CapturingLogger } from '../support/session-app.js';

/** Starts an app with these session options; resolves with the start-up error, if any. */
async function startUpError(secret: SessionModuleOptions['secret'] | undefined): Promise<unknown> {
  @Module({ imports: [SessionModule.forRoot({ secret } as SessionModuleOptions)] })
  class SecretAppModule {}
  try {
    const app = await NestFactory.create(SecretAppModule, {
      logger: new CapturingLogger(),
      abortOnError: false,
    });
    await app.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Secrets seen in documentation, tutorials and `.env.example` files, padded past 32 characters. */
const PLACEHOLDERS = [
  'keyboard cat keyboard cat keyboard cat!',
  'CHANGE_ME_TO_A_LONG_RANDOM_STRING_PLEASE',
  'change-this-to-a-long-random-string-1234',
  'your-secret-key-goes-here-at-least-32-chars',
  'YOUR_SESSION_SECRET_HERE_0123456789abcdef',
  'replace-with-a-real-secret-of-32-characters',
  'super-secret-key-for-development-only-123',
  'ThisIsMySuperSecretSessionKey1234567890',
  'my-session-secret-0123456789-abcdefghijkl',
  'secretsecretsecretsecretsecretsecret',
  'password-password-password-password',
  'insert-your-secret-here-0123456789-abcdef',
  'example-secret-for-the-docs-0123456789-xyz',
  'session-secret-placeholder-0123456789abcd',
];

describe('10. secrets are checked at start-up', () => {
  it.each([
    ['missing', undefined, /`secret` is required/],
    ['empty', '', /`secret` is required/],
    ['short', 'Xq7-short-Vb9', /`secret` is 13 characters; it must be at least 32/],
    ['31 characters', randomBytes(24).toString('base64url').slice(0, 31), /at least 32/],
    ['short in a rotation list', [randomBytes(36).toString('base64url'), 'Xq7-short-Vb9'], /`secret\[1\]`/],
  ])(
    'a %s secret is refused with InvalidSessionOptionsError naming the option',
    async (_label, secret, message) => {
      const error = await startUpError(secret);
      expect(error).toBeInstanceOf(InvalidSessionOptionsError);
      expect((error as Error).message).toMatch(message);
    },
  );

  it.each(PLACEHOLDERS)('the placeholder secret "%s" is refused', async (secret) => {
    const error = await startUpError(secret);
    expect(error).toBeInstanceOf(InvalidSessionOptionsError);
    expect((error as InvalidSessionOptionsError).option).toBe('secret');
    expect((error as Error).message).not.toContain(secret);
  });

  it('random secrets of every usual shape are accepted (no false alarms)', async () => {
    const shapes = [
      () => randomBytes(48).toString('base64'),
      () => randomBytes(48).toString('base64url'),
      () => randomBytes(16).toString('hex'),
      () => randomBytes(32).toString('hex'),
    ];
    for (const make of shapes) {
      for (let i = 0; i < 50; i++) {
        const secret = make();
        const error = await startUpError(secret);
        expect({ secret, error }).toEqual({ secret, error: undefined });
      }
    }
  });
});

describe('10. the demo refuses a bad SESSION_SECRET at start-up', () => {
  const exits: number[] = [];

  it.each([
    ['a short secret', 'Xq7-short-Vb9', /`secret` is 13 characters/],
    ['a placeholder', 'CHANGE_ME_TO_A_LONG_RANDOM_STRING_PLEASE', /`secret` looks like a placeholder/],
    [
      'a short old secret in a rotation list',
      `${randomBytes(36).toString('base64url')},Xq7-short-Vb9`,
      /`secret\[1\]` is 13 characters/,
    ],
  ])(
    '%s: the demo exits with code 1 at once, with a message naming the option and without the secret',
    async (_label, secret, message) => {
      const started = Date.now();
      const demo = startNode('apps/demo/dist/main.js', {
        PORT: String(await freePort()),
        WORKERS: '2',
        SESSION_SECRET: secret,
      });
      const timer = setTimeout(() => demo.signal('SIGKILL'), 10_000);
      const code = await demo.exited;
      clearTimeout(timer);
      exits.push(Date.now() - started);
      expect(code).toBe(1);
      expect(demo.output()).toContain('InvalidSessionOptionsError');
      expect(demo.output()).toMatch(message);
      expect(demo.output()).not.toContain(secret);
      // Refused in the primary, before any worker was forked.
      expect(demo.output()).not.toContain('Starting Nest application');
    },
    15_000,
  );

  it('records how fast a bad secret stops the demo', async () => {
    expect(exits).toHaveLength(3);
    await recordReliability({ 'secrets.badSecretExitMs': Math.max(...exits) });
  });
});
