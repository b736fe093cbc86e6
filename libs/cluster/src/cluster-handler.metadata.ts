/** The metadata the handler decorators store on a method, and its runtime guard. */
// @nestjs/common loads reflect-metadata, which declares Reflect.getMetadata / defineMetadata.
import type {} from '@nestjs/common';
import { CLUSTER_HANDLERS_METADATA } from './cluster.constants.js';
import { type TopicLike, topicName } from './messaging/topic.js';

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

/** Appends one registration to the metadata of `target` (a method). */
export function addHandlerMetadata(target: object, entry: ClusterHandlerMetadata): void {
  const existing: unknown = Reflect.getMetadata(CLUSTER_HANDLERS_METADATA, target);
  const list = isClusterHandlerMetadataList(existing) ? existing : [];
  Reflect.defineMetadata(CLUSTER_HANDLERS_METADATA, [...list, entry], target);
}

/** The handler registrations stored on `method`, or an empty list. */
export function handlerMetadataOf(method: unknown): readonly ClusterHandlerMetadata[] {
  if (typeof method !== 'function') return [];
  const metadata: unknown = Reflect.getMetadata(CLUSTER_HANDLERS_METADATA, method);
  return isClusterHandlerMetadataList(metadata) ? metadata : [];
}

/** The topic names of the handler methods a prototype declares itself. */
export function handlerTopicsOf(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).flatMap((key) =>
    handlerMetadataOf(Object.getOwnPropertyDescriptor(prototype, key)?.value).map((entry) =>
      topicName(entry.topic),
    ),
  );
}
