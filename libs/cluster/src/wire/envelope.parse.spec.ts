import { describe, expect, it } from '@jest/globals';
import { parseEnvelope } from './envelope.parse.js';

const base = { ns: 'nest-hive', v: 1, id: 'a-1', topic: 't', from: 2 };

describe('parseEnvelope', () => {
  it.each([
    ['a raw string', 'hello'],
    ['a number', 42],
    ['null', null],
    ['an array', [1, 2]],
    ["another library's object", { type: 'rpc', data: 1 }],
    ["Node's internal cluster message", { cmd: 'NODE_CLUSTER', act: 'online' }],
    ['another namespace', { ...base, ns: 'other' }],
  ])('ignores %s as foreign', (_label, value) => {
    expect(parseEnvelope(value)).toEqual({ status: 'foreign' });
  });

  it.each([
    ['an unknown version', { ...base, v: 2, kind: 'message', to: 'primary' }, 'unsupported version 2'],
    ['an unknown kind', { ...base, kind: 'gossip', to: 'primary' }, 'unknown kind "gossip"'],
    ['a bad sender', { ...base, from: 'someone', kind: 'message', to: 'primary' }, 'bad "from"'],
    ['a missing id', { ...base, id: undefined, kind: 'message', to: 1 }, 'missing id or topic'],
    ['a request without timeout', { ...base, kind: 'request', to: 1 }, 'bad timeoutMs'],
    [
      'a broken error-reply',
      { ...base, kind: 'error-reply', to: 1, payload: { reason: 'nope' } },
      'bad error-reply payload',
    ],
    [
      'a broadcast without origin',
      { ...base, kind: 'broadcast', to: '*', includeSelf: false },
      'bad broadcast fields',
    ],
    [
      'a lifecycle with a bad event',
      { ...base, kind: 'lifecycle', to: 1, payload: { event: {}, workers: [] } },
      'bad lifecycle payload',
    ],
    ['a ping from a worker', { ...base, kind: 'ping', to: 1, payload: null }, 'bad ping fields'],
    [
      'a pong with a negative size',
      { ...base, kind: 'pong', to: 'primary', payload: { rssBytes: -1 } },
      'bad pong payload',
    ],
    [
      'a pong without a size',
      { ...base, kind: 'pong', to: 'primary', payload: { rssBytes: 'a lot' } },
      'bad pong payload',
    ],
    ['a pong to a worker', { ...base, kind: 'pong', to: 1, payload: { rssBytes: 1 } }, 'bad pong fields'],
  ])('reports %s as malformed', (_label, value, reason) => {
    expect(parseEnvelope(value)).toEqual({ status: 'malformed', reason });
  });

  it("keeps a start failure's system error code, call and port when well formed, and drops them otherwise", () => {
    const failed = (payload: Record<string, unknown>) =>
      parseEnvelope({
        ...base,
        kind: 'start-failed',
        to: 'primary',
        payload: { name: 'Error', message: 'm', ...payload },
      });
    expect(failed({ code: 'EADDRINUSE', syscall: 'bind', port: 3000 })).toEqual({
      status: 'ok',
      envelope: {
        ...base,
        kind: 'start-failed',
        to: 'primary',
        payload: { name: 'Error', message: 'm', code: 'EADDRINUSE', syscall: 'bind', port: 3000 },
      },
    });
    for (const junk of [
      { code: 'eaddrinuse', syscall: 'BIND', port: -1 },
      { code: 7, syscall: 7, port: 70_000 },
      { code: 'E'.repeat(40), syscall: 'b'.repeat(40), port: 1.5 },
    ]) {
      expect(failed(junk)).toEqual({
        status: 'ok',
        envelope: { ...base, kind: 'start-failed', to: 'primary', payload: { name: 'Error', message: 'm' } },
      });
    }
  });

  it('accepts every kind of valid envelope, keeping only the known fields', () => {
    const message = parseEnvelope({
      ...base,
      kind: 'message',
      to: 'primary',
      payload: { a: 1 },
      receipt: true,
      extra: 'x',
    });
    expect(message).toEqual({
      status: 'ok',
      envelope: { ...base, kind: 'message', to: 'primary', payload: { a: 1 }, receipt: true },
    });
    const request = parseEnvelope({ ...base, kind: 'request', to: 3, payload: null, timeoutMs: 100 });
    expect(request.status).toBe('ok');
    const shutdown = parseEnvelope({
      ...base,
      from: 'primary',
      kind: 'shutdown',
      to: 3,
      payload: { mode: 'restart' },
    });
    expect(shutdown).toMatchObject({
      status: 'ok',
      envelope: { kind: 'shutdown', payload: { mode: 'restart' } },
    });
    const lifecycle = parseEnvelope({
      ...base,
      from: 'primary',
      kind: 'lifecycle',
      to: 3,
      payload: {
        event: {
          type: 'exit',
          workerId: 1,
          slot: 0,
          pid: 9,
          at: 1,
          code: 1,
          signal: null,
          reason: 'crashed',
        },
        workers: [{ id: 2, slot: 0, pid: 10, state: 'ready', startedAt: 1, readyAt: 2 }],
      },
    });
    expect(lifecycle.status).toBe('ok');
    const ping = parseEnvelope({ ...base, from: 'primary', kind: 'ping', to: 3, payload: 'x' });
    expect(ping).toEqual({
      status: 'ok',
      envelope: { ...base, from: 'primary', kind: 'ping', to: 3, payload: null },
    });
    const pong = parseEnvelope({ ...base, kind: 'pong', to: 'primary', payload: { rssBytes: 5e7, x: 1 } });
    expect(pong).toEqual({
      status: 'ok',
      envelope: { ...base, kind: 'pong', to: 'primary', payload: { rssBytes: 5e7 } },
    });
  });
});
