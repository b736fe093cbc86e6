import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Session } from '../session.interfaces.js';
import { publishSession, type PublishedSession } from './request-session-property.js';

/** A source that counts how often its session object was asked for. */
const session = (label: string): PublishedSession & { asked: number } => {
  const source = {
    asked: 0,
    requestSession: () => {
      source.asked++;
      return { label } as unknown as Session;
    },
  };
  return source;
};

/** A request as Express hands it to middleware: its prototype swapped to `app.request`. */
function expressRequest(app: express.Express): IncomingMessage & { session?: unknown } {
  const req = new IncomingMessage(new Socket());
  Object.setPrototypeOf(req, app.request);
  return req;
}

describe('publishSession', () => {
  it('sets req.session on an Express request without adding a property to it', () => {
    const app = express();
    const req = expressRequest(app);
    const before = Reflect.ownKeys(req);
    publishSession(req, session('first'));
    expect(req.session).toEqual({ label: 'first' });
    publishSession(req, session('regenerated'));
    expect(req.session).toEqual({ label: 'regenerated' });
    expect(Reflect.ownKeys(req)).toEqual(before);
  });

  it('makes the session object only when req.session is read, on an Express request', () => {
    const req = expressRequest(express());
    const source = session('lazy');
    publishSession(req, source);
    expect(source.asked).toBe(0);
    expect(req.session).toEqual({ label: 'lazy' });
    expect(source.asked).toBe(1);
  });

  it('reads undefined on requests whose session was never loaded', () => {
    const app = express();
    publishSession(expressRequest(app), session('loaded'));
    const other = expressRequest(app);
    expect(other.session).toBeUndefined();
  });

  it('keeps what code assigns to req.session itself, and publishes over it', () => {
    const app = express();
    publishSession(expressRequest(app), session('prototype gets the accessor'));
    const req = expressRequest(app);
    req.session = 'assigned';
    expect(req.session).toBe('assigned');
    expect(Object.keys(req)).toContain('session');
    publishSession(req, session('published'));
    expect(req.session).toEqual({ label: 'published' });
  });

  it('uses an ordinary property on a plain Node request and on plain objects', () => {
    const req: IncomingMessage & { session?: unknown } = new IncomingMessage(new Socket());
    const source = session('node');
    publishSession(req, source);
    expect(source.asked).toBe(1);
    expect(Object.keys(req)).toContain('session');
    expect(Object.prototype.hasOwnProperty.call(IncomingMessage.prototype, 'session')).toBe(false);
    const wrapper: { session?: unknown } = {};
    publishSession(wrapper, session('wrapper'));
    expect(wrapper.session).toEqual({ label: 'wrapper' });
  });
});
