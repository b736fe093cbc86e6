/**
 * Building envelopes: every envelope this library sends is built by one of these. Each takes a
 * named object and returns one literal (no spread), as they run for every message.
 */
import { CONTROL_TOPIC, ENVELOPE_NAMESPACE, ENVELOPE_VERSION } from '../cluster.constants.js';
import { type Address, type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent } from './cluster-event.js';
import {
  type BatchEnvelope,
  type BroadcastEnvelope,
  type ErrorReplyEnvelope,
  type LifecycleEnvelope,
  type MessageEnvelope,
  type PingEnvelope,
  type PongEnvelope,
  type ReadyEnvelope,
  type RemoteFailure,
  type ReplyEnvelope,
  type RequestEnvelope,
  type ShutdownEnvelope,
  type StartFailedEnvelope,
  type StartFailure,
  type StopMode,
} from './envelope.types.js';

/** The fields of an envelope its builder is given: all but the constant `ns`, `v`, `kind` (and `to: '*'`). */
type FieldsOf<E> = Omit<E, 'ns' | 'v' | 'kind'>;

/** What `messageEnvelope` takes. */
export type MessageFields = FieldsOf<MessageEnvelope>;
/** What `broadcastEnvelope` takes. */
export type BroadcastFields = Omit<FieldsOf<BroadcastEnvelope>, 'to'>;
/** What `requestEnvelope` takes. */
export type RequestFields = FieldsOf<RequestEnvelope>;

/** What the answer builders take: the request answered, who answers, and the answer. */
export interface AnswerFields<Payload> {
  /** The request (or receipted message) answered: gives id, topic and the addressee. */
  readonly request: RequestEnvelope | MessageEnvelope;
  /** Who answers: its target, or the primary on its behalf. */
  readonly from: Address;
  /** The answer. */
  readonly payload: Payload;
}

/** What the control builders take: a correlation id (the topic is always the control topic). */
export interface ControlFields {
  /** Correlation id, unique in the sending process. */
  readonly id: string;
}

const ns = ENVELOPE_NAMESPACE;
const v = ENVELOPE_VERSION;

/**
 * A `send()`.
 *
 * @example
 * ```ts
 * messageEnvelope({ id, topic: 'greet', from: 1, to: 'primary', payload, receipt: false });
 * ```
 */
export function messageEnvelope(fields: MessageFields): MessageEnvelope {
  const { id, topic, from, to, payload, receipt } = fields;
  return { ns, v, id, topic, from, kind: 'message', to, payload, receipt };
}

/** A `broadcast()` over IPC. */
export function broadcastEnvelope(fields: BroadcastFields): BroadcastEnvelope {
  const { id, topic, from, payload, includeSelf, origin, viaTransport } = fields;
  return { ns, v, id, topic, from, kind: 'broadcast', to: '*', payload, includeSelf, origin, viaTransport };
}

/** A `request()`. */
export function requestEnvelope(fields: RequestFields): RequestEnvelope {
  const { id, topic, from, to, payload, timeoutMs } = fields;
  return { ns, v, id, topic, from, kind: 'request', to, payload, timeoutMs };
}

/** The answer to `request`: a reply, or (with `payload: null`) a delivery receipt. */
export function replyEnvelope(fields: AnswerFields<unknown>): ReplyEnvelope {
  const { request, from, payload } = fields;
  return { ns, v, id: request.id, topic: request.topic, from, kind: 'reply', to: request.from, payload };
}

/** The failed answer to `request`. The one way an error reply is built. */
export function errorReplyEnvelope(fields: AnswerFields<RemoteFailure>): ErrorReplyEnvelope {
  const { request, from, payload } = fields;
  return {
    ns,
    v,
    id: request.id,
    topic: request.topic,
    from,
    kind: 'error-reply',
    to: request.from,
    payload,
  };
}

/** Control: the worker() factory of worker `from` resolved. */
export function readyEnvelope(fields: ControlFields & { readonly from: number }): ReadyEnvelope {
  const { id, from } = fields;
  return { ns, v, id, topic: CONTROL_TOPIC, from, kind: 'ready', to: 'primary', payload: null };
}

/** Control: the worker() factory of worker `from` failed. */
export function startFailedEnvelope(
  fields: ControlFields & { readonly from: number; readonly failure: StartFailure },
): StartFailedEnvelope {
  const { id, from, failure } = fields;
  return { ns, v, id, topic: CONTROL_TOPIC, from, kind: 'start-failed', to: 'primary', payload: failure };
}

/** Control: the primary asks worker `to` to stop. */
export function shutdownEnvelope(
  fields: ControlFields & { readonly to: number; readonly mode: StopMode },
): ShutdownEnvelope {
  const { id, to, mode } = fields;
  return { ns, v, id, topic: CONTROL_TOPIC, from: 'primary', kind: 'shutdown', to, payload: { mode } };
}

/** Control: a lifecycle event and the worker table after it, for worker `to`. */
export function lifecycleEnvelope(
  fields: ControlFields & {
    readonly to: number;
    readonly event: ClusterEvent;
    readonly workers: readonly WorkerInfo[];
  },
): LifecycleEnvelope {
  const { id, to, event, workers } = fields;
  return {
    ns,
    v,
    id,
    topic: CONTROL_TOPIC,
    from: 'primary',
    kind: 'lifecycle',
    to,
    payload: { event, workers },
  };
}

/** Control: the primary's heartbeat to worker `to`. */
export function pingEnvelope(fields: ControlFields & { readonly to: number }): PingEnvelope {
  const { id, to } = fields;
  return { ns, v, id, topic: CONTROL_TOPIC, from: 'primary', kind: 'ping', to, payload: null };
}

/** Control: worker `from` answers a heartbeat, with its resident set size. */
export function pongEnvelope(
  fields: ControlFields & { readonly from: number; readonly rssBytes: number },
): PongEnvelope {
  const { id, from, rssBytes } = fields;
  return { ns, v, id, topic: CONTROL_TOPIC, from, kind: 'pong', to: 'primary', payload: { rssBytes } };
}

/** Wraps envelopes written together in one IPC message. */
export function batchEnvelope(fields: { readonly items: readonly object[] }): BatchEnvelope {
  return { ns, v, kind: 'batch', items: fields.items };
}
