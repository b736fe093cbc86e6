import { DuplicateTopicValidatorError, PayloadValidationError } from '../cluster.errors.js';
import { type Address } from '../cluster.interfaces.js';
import { type TopicLike, trustedAs } from './topic.js';

/** A runtime guard for values of one type. */
export type Guard<T = unknown> = (value: unknown) => value is T;

/**
 * The payload validators of one endpoint, one per topic name. Every payload that arrives is
 * checked here once, before it reaches any stream or handler; what passes needs no second check.
 * A topic name claimed by two different validators is refused at registration.
 */
export class TopicRegistry {
  private readonly validators = new Map<string, (value: unknown) => boolean>();

  /**
   * @param onInvalid - told about each payload a validator refused (the endpoint's `errors$`).
   */
  constructor(private readonly onInvalid: (error: PayloadValidationError) => void) {}

  /**
   * Registers the payload validator of `topic`, if it has one. Registering the same validator
   * again is fine.
   *
   * @returns the guard for payloads of `topic` that already passed {@link accepts}: they were
   *   checked by its validator, so they are taken as they are.
   * @throws DuplicateTopicValidatorError when the name already has a different validator.
   */
  register<Payload>(topic: TopicLike<Payload, unknown>): Guard<Payload> {
    if (typeof topic !== 'string' && topic.validate) {
      const known = this.validators.get(topic.name);
      if (known === undefined) this.validators.set(topic.name, topic.validate);
      else if (known !== topic.validate) throw new DuplicateTopicValidatorError(topic.name);
    }
    return trustedAs;
  }

  /**
   * Whether a payload that arrived under `topic` from `from` may be delivered. A refusal is
   * reported through `onInvalid`.
   */
  accepts(topic: string, payload: unknown, from: Address): boolean {
    const validate = this.validators.get(topic);
    if (validate === undefined || validate(payload)) return true;
    this.onInvalid(new PayloadValidationError(topic, from, 'payload'));
    return false;
  }
}
