import { type BroadcastPacket } from '../transport/broadcast-transport.js';
import { isAddress } from '../wire/envelope.parse.js';

/**
 * The wire format of the Redis channel: a broadcast packet as JSON, plus two top-level fields,
 * `senderId` (random per transport) and `seq` (1, 2, 3… per sender). Receivers that predate them
 * ignore extra fields, and packets without them are still accepted (not counted for gaps), so
 * versions can be mixed during a rolling deploy.
 */

/** Who published a packet, and its place in that sender's sequence. */
export interface PacketStamp {
  /** Random id of the publishing transport. */
  readonly senderId: string;
  /** 1 for its first packet, then one more for each. */
  readonly seq: number;
}

/** A packet read from the channel. */
export interface ReceivedPacket {
  /** The broadcast, with only the fields of a {@link BroadcastPacket}. */
  readonly packet: BroadcastPacket;
  /** Its stamp, when the sender stamps its packets. */
  readonly stamp: PacketStamp | undefined;
}

/** Longest sender id accepted (a UUID has 36 characters). */
const MAX_SENDER_ID_LENGTH = 64;

/** Runtime guard for packets read from the channel: anything else is dropped. */
export function isBroadcastPacket(value: unknown): value is BroadcastPacket {
  if (typeof value !== 'object' || value === null) return false;
  const packet = value as Record<string, unknown>;
  return (
    typeof packet.id === 'string' &&
    typeof packet.topic === 'string' &&
    typeof packet.origin === 'string' &&
    typeof packet.includeSelf === 'boolean' &&
    'payload' in packet &&
    isAddress(packet.from)
  );
}

/** The JSON text of `packet`, stamped. */
export function encodePacket(packet: BroadcastPacket, stamp: PacketStamp): string {
  const { id, topic, payload, from, origin, includeSelf } = packet;
  return JSON.stringify({ id, topic, payload, from, origin, includeSelf, ...stamp });
}

/** The packet in `text`, or `undefined` when `text` is not one. */
export function decodePacket(text: string): ReceivedPacket | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isBroadcastPacket(value)) return undefined;
  const { id, topic, payload, from, origin, includeSelf } = value;
  return { packet: { id, topic, payload, from, origin, includeSelf }, stamp: stampOf(value) };
}

function stampOf(value: object): PacketStamp | undefined {
  if (!('senderId' in value && 'seq' in value)) return undefined;
  const { senderId, seq } = value;
  const validId = typeof senderId === 'string' && senderId !== '' && senderId.length <= MAX_SENDER_ID_LENGTH;
  const validSeq = typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1;
  return validId && validSeq ? { senderId, seq } : undefined;
}
