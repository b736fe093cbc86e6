import { describe, expect, it } from '@jest/globals';
import { handoverMessage, isSocketHandoverMessage } from './socket-handover.message.js';

describe('socket handover messages', () => {
  it('round-trip through JSON and the guard', () => {
    const message = handoverMessage(1, 2, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const copy: unknown = JSON.parse(JSON.stringify(message));
    expect(isSocketHandoverMessage(copy)).toBe(true);
    expect(Buffer.from(message.data, 'base64').toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(message.final).toBe(false);
  });

  it.each([
    null,
    'nest-hive:socket',
    {},
    { ns: 'nest-hive', v: 1, from: 1, to: 2, data: '', final: false },
    { ns: 'nest-hive:socket', v: 2, from: 1, to: 2, data: '', final: false },
    { ns: 'nest-hive:socket', v: 1, from: '1', to: 2, data: '', final: false },
    { ns: 'nest-hive:socket', v: 1, from: 1, to: 1.5, data: '', final: false },
    { ns: 'nest-hive:socket', v: 1, from: 1, to: 2, data: 3, final: false },
    { ns: 'nest-hive:socket', v: 1, from: 1, to: 2, data: '' },
  ])('refuses %j', (value) => {
    expect(isSocketHandoverMessage(value)).toBe(false);
  });
});
