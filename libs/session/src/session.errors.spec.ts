import { describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import {
  ExpressSessionStoreContractError,
  ExpressSessionStoreTimeoutError,
} from './express/express-session-store.errors.js';
import { RedisOperationTimeoutError, RedisUnavailableError } from './redis/redis-session.errors.js';
import {
  InvalidSessionIdError,
  InvalidSessionOptionsError,
  NestSessionDecoratorError,
  ReservedSessionKeyError,
  SessionDataNotSerializableError,
  SessionError,
  SessionNotAvailableError,
  SessionStoreUnavailableError,
  SessionTooLargeError,
} from './session.errors.js';

describe('SessionError', () => {
  const errors = [
    new InvalidSessionOptionsError('secret', 'is missing'),
    new SessionStoreUnavailableError('get', new Error('down')),
    new SessionNotAvailableError(),
    new ReservedSessionKeyError('id'),
    new SessionDataNotSerializableError('n', new Error('BigInt')),
    new SessionTooLargeError(10, 5),
    new InvalidSessionIdError(),
    new NestSessionDecoratorError('A.b'),
    new RedisUnavailableError(),
    new RedisOperationTimeoutError(100),
    new ExpressSessionStoreTimeoutError('get', 100),
    new ExpressSessionStoreContractError('set', 'called back more than once'),
  ];

  it('is the base of every error of the package, the HTTP ones included', () => {
    for (const error of errors)
      expect({ name: error.name, base: error instanceof SessionError }).toEqual({
        name: error.name,
        base: true,
      });
    expect(new SessionStoreUnavailableError('get', null)).toBeInstanceOf(HttpException);
    expect(new SessionTooLargeError(10, 5).getStatus()).toBe(413);
  });

  it('leaves other errors and the specific checks alone', () => {
    expect(new Error('x') instanceof SessionError).toBe(false);
    expect(new HttpException('x', 500) instanceof SessionError).toBe(false);
    expect(new SessionNotAvailableError() instanceof InvalidSessionOptionsError).toBe(false);
    expect(new SessionTooLargeError(1, 0) instanceof SessionStoreUnavailableError).toBe(false);
    expect(new InvalidSessionIdError()).toBeInstanceOf(InvalidSessionIdError);
  });
});
