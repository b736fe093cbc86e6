/**
 * A typed topic: a name plus the payload and reply types that travel under it, and optional
 * runtime validators. `send`, `broadcast`, `on`, `request`, `handle` and the handler decorators
 * all accept one, and then refuse a wrong payload type at compile time.
 *
 * @example
 * ```ts
 * interface Greeting { name: string }
 * const isGreeting = (v: unknown): v is Greeting =>
 *   typeof v === 'object' && v !== null && 'name' in v && typeof v.name === 'string';
 *
 * export const GREET = defineTopic<Greeting, string>('greet', { validate: isGreeting });
 *
 * const answer: string = await cluster.request(GREET, { name: 'Ada' }, { to: 'primary' });
 * cluster.request(GREET, { nom: 'Ada' }); // compile error
 * ```
 */
export interface ClusterTopic<Payload, Reply = void> {
  /** The topic name on the wire. Names starting with `nest-hive:` are reserved. */
  readonly name: string;
  /** Checks incoming payloads; failures go to `errors$` and are dropped (requests get `PayloadValidationError`). */
  readonly validate?: (value: unknown) => value is Payload;
  /** Checks incoming replies; a failure rejects the request with `PayloadValidationError`. */
  readonly validateReply?: (value: unknown) => value is Reply;
}

/** Options of `defineTopic`. */
export interface TopicOptions<Payload, Reply> {
  /** Runtime guard for payloads received under this topic. */
  readonly validate?: (value: unknown) => value is Payload;
  /** Runtime guard for replies received to requests of this topic. */
  readonly validateReply?: (value: unknown) => value is Reply;
}

/** The payload type of a topic. */
export type PayloadOf<T> = T extends ClusterTopic<infer P, unknown> ? P : never;

/** The reply type of a topic. */
export type ReplyOf<T> = T extends ClusterTopic<unknown, infer R> ? R : never;

/**
 * A topic given as a typed topic, or as a plain name: the untyped case, where payload and reply
 * are `unknown`. Every messaging method takes one, with a single generic signature.
 */
export type TopicLike<Payload = unknown, Reply = unknown> = string | ClusterTopic<Payload, Reply>;

/**
 * Defines a typed topic.
 *
 * @param name - the topic name on the wire.
 * @param options - optional runtime validators for payloads and replies.
 * @example
 * ```ts
 * export const CACHE_EVICT = defineTopic<{ key: string }>('cache:evict');
 * cluster.broadcast(CACHE_EVICT, { key: 'user:1' });
 * ```
 */
export function defineTopic<Payload, Reply = void>(
  name: string,
  options: TopicOptions<Payload, Reply> = {},
): ClusterTopic<Payload, Reply> {
  return Object.freeze({ name, validate: options.validate, validateReply: options.validateReply });
}

/** The name of a topic given either way. */
export function topicName(topic: TopicLike): string {
  return typeof topic === 'string' ? topic : topic.name;
}

/**
 * The guard used for a value of a topic that has no validator of that kind: the topic's type is
 * then a compile-time contract between your own processes, and the value is accepted as is.
 */
export function trustedAs<T>(_value: unknown): _value is T {
  return true;
}
