import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import type { RegenerateOptions } from '../session.interfaces.js';
import {
  createApiMethod,
  optionalCallback,
  regenerateOptions,
  type SessionApiTarget,
} from './session-api-methods.js';
import { SessionLog } from './session-log.js';

/** A target that records its calls; `fail` makes them reject. */
class RecordingTarget implements SessionApiTarget {
  readonly calls: string[] = [];
  fail: Error | undefined;
  noteMayChange(): void {
    this.calls.push('noteMayChange');
  }
  async regenerate(options: RegenerateOptions): Promise<void> {
    this.calls.push(`regenerate ${JSON.stringify(options)}`);
    if (this.fail) throw this.fail;
  }
  async destroy(): Promise<void> {
    this.calls.push('destroy');
  }
  async save(): Promise<void> {
    this.calls.push('save');
    if (this.fail) throw this.fail;
  }
  async reload(): Promise<void> {
    this.calls.push('reload');
  }
  async touch(): Promise<void> {
    this.calls.push('touch');
  }
}

class ErrorLines implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

describe('createApiMethod', () => {
  it('takes express-session’s signatures: options and/or a callback', async () => {
    const target = new RecordingTarget();
    const log = new SessionLog(new ErrorLines());
    const regenerate = createApiMethod('regenerate', target, log);
    await regenerate({ keepData: true });
    const done: Array<Error | undefined> = [];
    await regenerate((error?: Error) => done.push(error));
    await regenerate(null, (error?: Error) => done.push(error));
    await new Promise((resolve) => setImmediate(resolve));
    expect(target.calls).toEqual([
      'noteMayChange',
      'regenerate {"keepData":true}',
      'noteMayChange',
      'regenerate {}',
      'noteMayChange',
      'regenerate {}',
    ]);
    expect(done).toEqual([undefined, undefined]);
  });

  it('rejects bad arguments instead of throwing, and hands a failure to the callback', async () => {
    const target = new RecordingTarget();
    const log = new SessionLog(new ErrorLines());
    await expect(createApiMethod('save', target, log)('nope')).rejects.toThrow(
      'session.save() takes an optional callback function, got string.',
    );
    await expect(createApiMethod('regenerate', target, log)(5)).rejects.toThrow(TypeError);
    target.fail = new Error('store down');
    const errors: unknown[] = [];
    await expect(createApiMethod('save', target, log)((error: unknown) => errors.push(error))).rejects.toBe(
      target.fail,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([target.fail]);
  });

  it('logs a callback that throws', async () => {
    const logger = new ErrorLines();
    const touch = createApiMethod('touch', new RecordingTarget(), new SessionLog(logger));
    await touch(() => {
      throw new Error('boom');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.errors).toEqual(['The callback passed to session.touch() threw: boom']);
  });
});

describe('argument checks', () => {
  it('reads only keepData === true from the regenerate options', () => {
    expect(regenerateOptions(undefined)).toEqual({});
    expect(regenerateOptions({ keepData: 'yes' })).toEqual({ keepData: false });
    expect(regenerateOptions({ keepData: true })).toEqual({ keepData: true });
  });

  it('accepts a function or nothing as the callback', () => {
    expect(optionalCallback('save', null)).toBeUndefined();
    expect(() => optionalCallback('reload', 1)).toThrow(
      'session.reload() takes an optional callback function',
    );
  });
});
