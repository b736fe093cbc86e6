import { describe, expect, it } from '@jest/globals';
import { CONTROL_TOPIC } from '../cluster.constants.js';
import {
  batchEnvelope,
  broadcastEnvelope,
  errorReplyEnvelope,
  lifecycleEnvelope,
  messageEnvelope,
  readyEnvelope,
  replyEnvelope,
  requestEnvelope,
  shutdownEnvelope,
  startFailedEnvelope,
} from './envelope.build.js';
import { parseEnvelope, unpackMessages } from './envelope.parse.js';

describe('envelope builders', () => {
  const request = requestEnvelope({
    id: 'a.1',
    topic: 't',
    from: 2,
    to: 'primary',
    payload: 1,
    timeoutMs: 50,
  });

  it('build every kind so that parsing gives it back unchanged', () => {
    const built = [
      messageEnvelope({ id: 'a.2', topic: 't', from: 2, to: 3, payload: { x: 1 }, receipt: true }),
      broadcastEnvelope({
        id: 'a.3',
        topic: 't',
        from: 'primary',
        payload: [1],
        includeSelf: false,
        origin: 'o',
        viaTransport: true,
      }),
      request,
      replyEnvelope({ request, from: 'primary', payload: 'pong' }),
      errorReplyEnvelope({
        request,
        from: 'primary',
        payload: { reason: 'no-handler', name: 'NoHandlerError', message: 'none' },
      }),
      readyEnvelope({ id: 'h.1', from: 4 }),
      startFailedEnvelope({ id: 'h.2', from: 4, failure: { name: 'Error', message: 'boom' } }),
      shutdownEnvelope({ id: 'h.3', to: 4, mode: 'restart' }),
      lifecycleEnvelope({
        id: 'h.4',
        to: 4,
        event: { type: 'ready', workerId: 4, slot: 0, pid: 10, at: 1 },
        workers: [{ id: 4, slot: 0, pid: 10, state: 'ready', startedAt: 1, readyAt: 2 }],
      }),
    ];
    for (const envelope of built) expect(parseEnvelope(envelope)).toEqual({ status: 'ok', envelope });
  });

  it('address answers back to the asker, under its id and topic', () => {
    expect(replyEnvelope({ request, from: 'primary', payload: null })).toMatchObject({
      id: 'a.1',
      topic: 't',
      from: 'primary',
      to: 2,
      kind: 'reply',
    });
  });

  it('put control envelopes on the control topic', () => {
    expect(readyEnvelope({ id: 'h.1', from: 4 })).toMatchObject({ topic: CONTROL_TOPIC, to: 'primary' });
    expect(shutdownEnvelope({ id: 'h.3', to: 4, mode: 'shutdown' })).toMatchObject({
      topic: CONTROL_TOPIC,
      from: 'primary',
    });
  });

  it('wrap a batch that unpacks into its items in order', () => {
    const items = [readyEnvelope({ id: 'h.1', from: 4 }), readyEnvelope({ id: 'h.2', from: 4 })];
    expect(unpackMessages(batchEnvelope({ items }), () => undefined)).toEqual(items);
  });
});
