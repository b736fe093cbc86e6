/**
 * The message that travels with a TCP socket handed from one worker to another through the
 * primary (sticky routing). It is not an envelope of the IPC layer: it carries a socket handle,
 * which Node passes beside the message, so it bypasses the channel's coalescing.
 */

/** Marks handover messages; anything else with a handle is not ours. */
export const HANDOVER_NAMESPACE = 'nest-hive:socket';

/** A socket handed over, with the bytes of the request the sender already read from it. */
export interface SocketHandoverMessage {
  readonly ns: typeof HANDOVER_NAMESPACE;
  readonly v: 1;
  /** The worker that read the request. */
  readonly from: number;
  /** The worker that owns the engine.io session. */
  readonly to: number;
  /** The request as read so far (head and body), base64: the receiver parses it first. */
  readonly data: string;
  /**
   * The receiver serves the request itself, whoever owns the session (set by the primary when it
   * sends a socket back because its target is gone), so a socket never travels in circles.
   */
  readonly final: boolean;
}

/** Builds a handover message. */
export function handoverMessage(from: number, to: number, data: Buffer): SocketHandoverMessage {
  return { ns: HANDOVER_NAMESPACE, v: 1, from, to, data: data.toString('base64'), final: false };
}

/** Whether `value` is a well-formed handover message. */
export function isSocketHandoverMessage(value: unknown): value is SocketHandoverMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  return (
    message.ns === HANDOVER_NAMESPACE &&
    message.v === 1 &&
    Number.isSafeInteger(message.from) &&
    Number.isSafeInteger(message.to) &&
    typeof message.data === 'string' &&
    typeof message.final === 'boolean'
  );
}
