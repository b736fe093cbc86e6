import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { hookResponse, type HookedMethod } from './response-hooks.js';

/** A response as Express hands it to middleware: its prototype swapped to `app.response`. */
function expressResponse(app: express.Express): ServerResponse {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  Object.setPrototypeOf(res, app.response);
  return res;
}

function recordingHook(calls: string[]) {
  return { call: (method: HookedMethod, args: unknown[]) => calls.push(`${method}(${args.join(',')})`) };
}

describe('hookResponse', () => {
  it('hooks an Express response through its prototype, adding no property to the response', () => {
    const app = express();
    const res = expressResponse(app);
    const before = Reflect.ownKeys(res);
    const calls: string[] = [];
    const originals = hookResponse(res, recordingHook(calls));
    expect(Reflect.ownKeys(res)).toEqual(before);
    res.writeHead(201);
    res.write('a');
    res.end('b');
    expect(calls).toEqual(['writeHead(201)', 'write(a)', 'end(b)']);
    expect(originals.end).toBe(ServerResponse.prototype.end);
    // Node's own prototype is left alone.
    expect(Object.prototype.hasOwnProperty.call(ServerResponse.prototype, 'end')).toBe(false);
  });

  it('lets other responses of that prototype go straight through', () => {
    const app = express();
    hookResponse(expressResponse(app), recordingHook([]));
    const other = expressResponse(app);
    other.setHeader('x-test', '1');
    other.writeHead(204);
    expect(other.headersSent).toBe(true);
    expect(other.statusCode).toBe(204);
  });

  it('wraps a response that carries wrappers of its own on the response itself, above them', () => {
    const app = express();
    const res = expressResponse(app);
    const order: string[] = [];
    const underlying = res.end.bind(res);
    res.end = ((...args: Parameters<ServerResponse['end']>) => {
      order.push('their wrapper');
      return underlying(...args);
    }) as ServerResponse['end'];
    const theirs = res.end;
    const originals = hookResponse(res, { call: (method) => order.push(`hook ${method}`) });
    expect(originals.end).toBe(theirs);
    res.end();
    expect(order).toEqual(['hook end']);
    originals.end.call(res);
    // Node's end() writes the head through writeHead, which is hooked too.
    expect(order).toEqual(['hook end', 'their wrapper', 'hook writeHead']);
  });

  it('wraps a plain Node response on the response itself', () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    const calls: string[] = [];
    hookResponse(res, recordingHook(calls));
    expect(Object.prototype.hasOwnProperty.call(res, 'end')).toBe(true);
    res.end('x');
    expect(calls).toEqual(['end(x)']);
  });
});
