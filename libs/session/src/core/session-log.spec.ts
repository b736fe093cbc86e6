import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { SessionStoreUnavailableError } from '../session.errors.js';
import { SessionLog } from './session-log.js';

/** A logger that keeps its lines. */
class RecordingLogger implements LoggerService {
  readonly lines: Array<[level: string, message: string]> = [];
  log(message: string): void {
    this.lines.push(['log', message]);
  }
  warn(message: string): void {
    this.lines.push(['warn', message]);
  }
  error(message: string): void {
    this.lines.push(['error', message]);
  }
  verbose(message: string): void {
    this.lines.push(['verbose', message]);
  }
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('SessionLog', () => {
  it('gives each once-only warning once', () => {
    const logger = new RecordingLogger();
    const log = new SessionLog(logger);
    for (let i = 0; i < 3; i++) {
      log.warnInsecureCookie();
      log.warnLateNewSession();
      log.warnDetachedWrite();
      log.warnEndedElsewhere();
    }
    const warnings = logger.lines.map(([, message]) => message);
    expect(warnings.filter((m) => m.includes('`secure: true` was not sent'))).toHaveLength(1);
    expect(warnings.filter((m) => m.includes('after the response headers were sent'))).toHaveLength(1);
    expect(warnings.filter((m) => m.includes('after regenerate() or destroy() replaced it'))).toHaveLength(1);
    expect(warnings.filter((m) => m.includes('destroyed or expired by another request'))).toHaveLength(3);
  });

  it('leaves store failures to the outage lines, and logs other failures with their message', () => {
    const logger = new RecordingLogger();
    const log = new SessionLog(logger);
    log.reportCommitFailure(new SessionStoreUnavailableError('set', new Error('down')));
    log.reportLoadFailure(new SessionStoreUnavailableError('get', new Error('down')));
    log.reportCommitFailure(new Error('too big'));
    log.reportLoadFailure('bad id');
    log.reportCallbackFailure('save', new Error('oops'));
    log.noteRejectedCookie('bad-signature');
    expect(logger.lines).toEqual([
      ['error', 'Session not saved: too big'],
      ['error', 'Session not loaded: bad id'],
      ['error', 'The callback passed to session.save() threw: oops'],
      ['verbose', 'Ignored a session cookie (bad-signature); the request gets a new session.'],
    ]);
  });

  it('logs an outage at its first failure, then at most every 10 s, then its end', () => {
    const clock = { now: 1_000_000 };
    jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
    const logger = new RecordingLogger();
    const log = new SessionLog(logger);
    expect(log.inOutage).toBe(false);
    log.noteStoreFailure('get', new Error('ECONNREFUSED'));
    clock.now += 5_000;
    log.noteStoreFailure('set', new Error('ECONNREFUSED'));
    clock.now += 5_000;
    log.noteStoreFailure('get', new Error('ECONNREFUSED'));
    expect(log.inOutage).toBe(true);
    clock.now += 2_500;
    log.noteStoreRecovery();
    expect(log.inOutage).toBe(false);
    expect(logger.lines.map(([level, message]) => `${level}: ${message}`)).toEqual([
      'error: Session store get failed (1 failure(s) so far); requests that need the session get 503. Cause: Error: ECONNREFUSED',
      'error: Session store get failed (3 failure(s) so far); requests that need the session get 503. Cause: Error: ECONNREFUSED',
      'log: Session store answering again after 12.5s and 3 failed call(s).',
    ]);
  });
});
