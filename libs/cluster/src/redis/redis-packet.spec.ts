import { describe, expect, it } from '@jest/globals';
import { type BroadcastPacket } from '../transport/broadcast-transport.js';
import { decodePacket, encodePacket, isBroadcastPacket } from './redis-packet.js';

const PACKET: BroadcastPacket = {
  id: 'p1',
  topic: 'chat',
  payload: { text: 'hi' },
  from: 2,
  origin: 'o-1',
  includeSelf: false,
};

describe('the Redis wire format', () => {
  it('round-trips a packet with its stamp as two extra top-level fields', () => {
    const text = encodePacket(PACKET, { senderId: 's-1', seq: 7 });
    expect(JSON.parse(text)).toEqual({ ...PACKET, senderId: 's-1', seq: 7 });
    expect(decodePacket(text)).toEqual({ packet: PACKET, stamp: { senderId: 's-1', seq: 7 } });
  });

  it('stays readable by receivers that predate the stamp (their guard ignores extra fields)', () => {
    expect(isBroadcastPacket(JSON.parse(encodePacket(PACKET, { senderId: 's', seq: 1 })))).toBe(true);
  });

  it('accepts packets of older senders, without a stamp', () => {
    expect(decodePacket(JSON.stringify(PACKET))).toEqual({ packet: PACKET, stamp: undefined });
  });

  it('hands on only the fields of a packet', () => {
    const decoded = decodePacket(JSON.stringify({ ...PACKET, extra: 'x', senderId: 's', seq: 1 }));
    expect(decoded?.packet).toEqual(PACKET);
  });

  it.each([
    ['a seq that is not a positive integer', { senderId: 's', seq: 0 }],
    ['a fractional seq', { senderId: 's', seq: 1.5 }],
    ['a seq as text', { senderId: 's', seq: '3' }],
    ['an empty sender id', { senderId: '', seq: 3 }],
    ['a sender id too long', { senderId: 'x'.repeat(65), seq: 3 }],
  ])('ignores a stamp with %s (the packet still arrives)', (_label, stamp) => {
    expect(decodePacket(JSON.stringify({ ...PACKET, ...stamp }))).toEqual({
      packet: PACKET,
      stamp: undefined,
    });
  });

  it.each([['not json'], ['null'], ['{"hello":"world"}'], [JSON.stringify({ ...PACKET, from: 'x' })]])(
    'drops %s',
    (text) => {
      expect(decodePacket(text)).toBeUndefined();
    },
  );
});
