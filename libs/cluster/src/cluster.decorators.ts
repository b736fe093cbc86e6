// @nestjs/common loads reflect-metadata, which declares Reflect.getMetadata / defineMetadata.
import type {} from '@nestjs/common';
import { type Observable } from 'rxjs';
import { CLUSTER_HANDLERS_METADATA } from './cluster.constants.js';
import { type ClusterMessageContext } from './cluster.interfaces.js';
import { type ClusterHandlerResult } from './messaging/handler-registry.js';
import { type ClusterTopic, type TopicLike } from './messaging/topic.js';

/** One handler registration stored on a method by the decorators. */
export interface ClusterHandlerMetadata {
  /** `message`: `@OnClusterMessage`; `request`: `@ClusterRequestHandler`. */
  readonly kind: 'message' | 'request';
  /** The topic. */
  readonly topic: TopicLike;
}

/** Runtime guard for the stored metadata. */
export function isClusterHandlerMetadataList(value: unknown): value is readonly ClusterHandlerMetadata[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        'kind' in entry &&
        (entry.kind === 'message' || entry.kind === 'request') &&
        'topic' in entry &&
        (typeof entry.topic === 'string' || (typeof entry.topic === 'object' && entry.topic !== null)),
    )
  );
}

function addHandlerMetadata(target: object, entry: ClusterHandlerMetadata): void {
  const existing: unknown = Reflect.getMetadata(CLUSTER_HANDLERS_METADATA, target);
  const list = isClusterHandlerMetadataList(existing) ? existing : [];
  Reflect.defineMetadata(CLUSTER_HANDLERS_METADATA, [...list, entry], target);
}

/** A method decorator that only accepts methods assignable to `Signature`. */
export type TypedMethodDecorator<Signature> = <Method extends Signature>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<Method>,
) => void;

type AnyMethodDecorator = (
  target: object,
  key: string | symbol,
  descriptor: { readonly value?: unknown },
) => void;

function storeOn(descriptor: { readonly value?: unknown }, entry: ClusterHandlerMetadata): void {
  const method = descriptor.value;
  if (typeof method === 'function') addHandlerMetadata(method, entry);
}

/**
 * Subscribes a provider (or controller) method to one topic's messages and broadcasts, for the
 * life of the app. The method gets the payload and a `ClusterMessageContext`.
 *
 * @example
 * ```ts
 * @Injectable()
 * class CacheInvalidator {
 *   @OnClusterMessage(CACHE_EVICT)
 *   evict({ key }: { key: string }) { this.cache.delete(key); }
 * }
 * ```
 */
export function OnClusterMessage<Payload, Reply>(
  topic: ClusterTopic<Payload, Reply>,
): TypedMethodDecorator<(payload: Payload, context: ClusterMessageContext) => unknown>;
export function OnClusterMessage(
  topic: string,
): TypedMethodDecorator<(payload: never, context: ClusterMessageContext) => unknown>;
export function OnClusterMessage(topic: TopicLike): AnyMethodDecorator {
  return (_target, _key, descriptor) => {
    storeOn(descriptor, { kind: 'message', topic });
  };
}

/**
 * Makes a provider (or controller) method the request handler of a topic on this endpoint. It may
 * return the reply, a Promise of it, or an Observable (its first value is the reply). A throw
 * reaches the caller as `RemoteError`.
 *
 * @example
 * ```ts
 * @Injectable()
 * class Counter {
 *   private value = 0;
 *   @ClusterRequestHandler(COUNTER_NEXT)
 *   next(): number { return ++this.value; }
 * }
 * ```
 */
export function ClusterRequestHandler<Payload, Reply>(
  topic: ClusterTopic<Payload, Reply>,
): TypedMethodDecorator<
  (payload: Payload, context: ClusterMessageContext) => ClusterHandlerResult<Reply> | Observable<Reply>
>;
export function ClusterRequestHandler(
  topic: string,
): TypedMethodDecorator<(payload: never, context: ClusterMessageContext) => unknown>;
export function ClusterRequestHandler(topic: TopicLike): AnyMethodDecorator {
  return (_target, _key, descriptor) => {
    storeOn(descriptor, { kind: 'request', topic });
  };
}
