import { PRIMARY_ADDRESS } from '../cluster.constants.js';
import { PayloadValidationError } from '../cluster.errors.js';
import { type Address, type RequestOptions } from '../cluster.interfaces.js';
import { type EndpointLink } from '../hub/endpoint-link.js';
import { messageEnvelope, requestEnvelope } from '../wire/envelope.build.js';
import { type MessageEnvelope } from '../wire/envelope.types.js';
import { type Answer, type TrackedRequest } from './pending-requests.js';
import { errorOfFailure } from './remote-failure.js';
import { type TopicLike, topicName, trustedAs } from './topic.js';
import { type Guard } from './topic-registry.js';

/**
 * Turns an endpoint's requests and receipted sends into tracked requests (for `PendingRequests`):
 * their envelope, how to send it, and how to read the answer (checked by the reply validator).
 */
export class RequestClient {
  /**
   * @param sender - the endpoint's way to send, and whether a send needs a receipt.
   * @param requestTimeoutMs - the default timeout.
   * @param onInvalidReply - told about each reply that failed its topic's reply validator.
   */
  constructor(
    private readonly sender: Pick<EndpointLink, 'address' | 'nextId' | 'post' | 'needsReceipt'>,
    private readonly requestTimeoutMs: number,
    private readonly onInvalidReply: (error: PayloadValidationError) => void,
  ) {}

  /** A `request()`: resolves with the validated reply, or rejects with the remote failure. */
  request<Reply>(
    topicLike: TopicLike<unknown, Reply>,
    payload: unknown,
    options: RequestOptions,
  ): TrackedRequest<Reply> {
    const topic = topicName(topicLike);
    const acceptReply: Guard<Reply> =
      typeof topicLike === 'string' ? trustedAs : (topicLike.validateReply ?? trustedAs);
    const to = options.to ?? PRIMARY_ADDRESS;
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const from = this.sender.address;
    const envelope = requestEnvelope({ id: this.sender.nextId(), topic, from, to, payload, timeoutMs });
    return {
      id: envelope.id,
      topic,
      target: to,
      timeoutMs,
      send: () => this.sender.post(envelope),
      decode: (answer) => this.decode(answer, topic, to, acceptReply),
    };
  }

  /** The envelope of a `send()` to `to`, asking for a delivery receipt when the hub needs one. */
  message(topic: string, payload: unknown, to: Address): MessageEnvelope {
    const receipt = this.sender.needsReceipt(to);
    return messageEnvelope({
      id: this.sender.nextId(),
      topic,
      from: this.sender.address,
      to,
      payload,
      receipt,
    });
  }

  /** A receipted `send()`: resolves with nothing once the primary confirms delivery. */
  receipted(envelope: MessageEnvelope): TrackedRequest<undefined> {
    const { topic, to, from } = envelope;
    return {
      id: envelope.id,
      topic,
      target: to,
      timeoutMs: this.requestTimeoutMs,
      send: () => this.sender.post(envelope),
      decode: (answer) => {
        if (answer.kind === 'error-reply') throw errorOfFailure(answer.payload, topic, to, from);
        return undefined;
      },
    };
  }

  private decode<Reply>(answer: Answer, topic: string, target: Address, accept: Guard<Reply>): Reply {
    if (answer.kind === 'error-reply')
      throw errorOfFailure(answer.payload, topic, target, this.sender.address);
    const reply = answer.payload;
    if (!accept(reply)) {
      const error = new PayloadValidationError(topic, target, 'reply');
      this.onInvalidReply(error);
      throw error;
    }
    return reply;
  }
}
