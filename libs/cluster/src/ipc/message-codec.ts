import { deserialize, serialize } from 'node:v8';
import { MessageSerializationError, MessageTooLargeError } from '../cluster.errors.js';
import { jsonSizeBound } from './json-size-bound.js';

/** How IPC messages are serialized: Node's `serialization` option of `cluster.setupPrimary`. */
export type Serialization = 'json' | 'advanced';

/** A message measured before it leaves its sender. */
export interface EncodedMessage {
  /** Serialized size in bytes, or (for small JSON messages) an upper bound of it. */
  readonly bytes: number;
  /** A deep copy as the receiver would see it, for in-process (loopback) delivery. */
  copy(): unknown;
}

/**
 * Measures messages against `maxMessageBytes` with the channel's serialization, and copies
 * them for in-process delivery so a loopback receiver sees exactly what IPC would deliver.
 */
export class MessageCodec {
  /**
   * @param serialization - the channel's serialization.
   * @param maxMessageBytes - the largest serialized message allowed.
   */
  constructor(
    readonly serialization: Serialization,
    readonly maxMessageBytes: number,
  ) {}

  /**
   * Serializes `message` once and checks its size.
   *
   * @throws MessageSerializationError when it cannot be serialized.
   * @throws MessageTooLargeError when it is over `maxMessageBytes`.
   */
  encode(message: object, topic: string): EncodedMessage {
    const encoded =
      this.serialization === 'json' ? this.encodeJson(message, topic) : this.encodeAdvanced(message, topic);
    if (encoded.bytes > this.maxMessageBytes) {
      throw new MessageTooLargeError(topic, encoded.bytes, this.maxMessageBytes);
    }
    return encoded;
  }

  /**
   * Checks a message that arrived from another process against
   * `maxMessageBytes`: a peer that bypassed this library (or a bug) must not
   * get an oversized message through. Returns the error to report, or
   * `undefined` when the message is within the limit.
   */
  checkInbound(message: unknown): MessageTooLargeError | undefined {
    if (typeof message !== 'object' || message === null) return undefined;
    let bytes: number;
    if (this.serialization === 'json') {
      const bound = jsonSizeBound(message, this.maxMessageBytes - 1);
      if (bound !== Number.POSITIVE_INFINITY) return undefined;
      try {
        bytes = Buffer.byteLength(JSON.stringify(message)) + 1;
      } catch {
        return undefined; // Node parsed it from JSON, so it serializes; nothing to report
      }
    } else {
      bytes = serialize(message).byteLength;
    }
    if (bytes <= this.maxMessageBytes) return undefined;
    const topic = (message as { topic?: unknown }).topic;
    return new MessageTooLargeError(
      typeof topic === 'string' ? topic : '(unknown)',
      bytes,
      this.maxMessageBytes,
    );
  }

  private encodeJson(message: object, topic: string): EncodedMessage {
    // Small messages are bounded without serializing (Node serializes them once more to send).
    const bound = jsonSizeBound(message, this.maxMessageBytes - 1);
    if (bound !== Number.POSITIVE_INFINITY) {
      return { bytes: bound + 1, copy: (): unknown => JSON.parse(JSON.stringify(message)) as unknown };
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      throw new MessageSerializationError(topic, { cause: error });
    }
    return { bytes: Buffer.byteLength(text) + 1, copy: (): unknown => JSON.parse(text) };
  }

  private encodeAdvanced(message: object, topic: string): EncodedMessage {
    let buffer: Buffer;
    try {
      buffer = serialize(message);
    } catch (error) {
      throw new MessageSerializationError(topic, { cause: error });
    }
    return { bytes: buffer.byteLength, copy: (): unknown => deserialize(buffer) };
  }
}
