/**
 * The IPC envelope: every message this library puts on a cluster IPC channel is one of these.
 * Anything else on the channel (raw strings, other libraries' objects, Node's `NODE_*` messages)
 * is not ours and is ignored; an object that claims our namespace but is malformed is reported.
 */
import { ENVELOPE_NAMESPACE, ENVELOPE_VERSION } from '../cluster.constants.js';
import { type Address, type WorkerInfo } from '../cluster.interfaces.js';
import { type ClusterEvent, isClusterEvent, isWorkerInfoList } from './cluster-event.js';

interface EnvelopeBase {
  readonly ns: typeof ENVELOPE_NAMESPACE;
  readonly v: typeof ENVELOPE_VERSION;
  /** Correlation id, unique per sending process. */
  readonly id: string;
  readonly topic: string;
  readonly from: Address;
}

/** `send()`: one-way to one address. `receipt` asks the primary to confirm delivery to another worker. */
export interface MessageEnvelope extends EnvelopeBase {
  readonly kind: 'message';
  readonly to: Address;
  readonly payload: unknown;
  readonly receipt: boolean;
}

/** `broadcast()` over IPC: fanned out by the primary to the workers. */
export interface BroadcastEnvelope extends EnvelopeBase {
  readonly kind: 'broadcast';
  readonly to: '*';
  readonly payload: unknown;
  readonly includeSelf: boolean;
  /** Unique id of the sending endpoint, so it can recognise its own broadcasts. */
  readonly origin: string;
  /**
   * The primary's copy for IPC-transport workers of a broadcast it also sent through its own
   * transport (e.g. Redis): endpoints on another transport get it from there, and skip this copy.
   */
  readonly viaTransport: boolean;
}

/** `request()`: expects a `reply` or `error-reply` with the same id. */
export interface RequestEnvelope extends EnvelopeBase {
  readonly kind: 'request';
  readonly to: Address;
  readonly payload: unknown;
  /** The caller's timeout, so a forwarding primary can forget the request in time. */
  readonly timeoutMs: number;
}

/** A successful answer to a request (or a delivery receipt). */
export interface ReplyEnvelope extends EnvelopeBase {
  readonly kind: 'reply';
  readonly to: Address;
  readonly payload: unknown;
}

/** Why a request (or a receipted message) failed remotely. */
export type FailureReason = 'handler-error' | 'no-handler' | 'invalid-payload' | 'unavailable' | 'exited';

/** The payload of an `error-reply`. */
export interface RemoteFailure {
  readonly reason: FailureReason;
  readonly name: string;
  readonly message: string;
  /** The remote error's stack, for handler errors. */
  readonly stack?: string;
}

/** A failed answer to a request (or a failed delivery receipt). */
export interface ErrorReplyEnvelope extends EnvelopeBase {
  readonly kind: 'error-reply';
  readonly to: Address;
  readonly payload: RemoteFailure;
}

/** Control, worker → primary: the worker() factory resolved. */
export interface ReadyEnvelope extends EnvelopeBase {
  readonly kind: 'ready';
  readonly to: 'primary';
  readonly payload: null;
}

/** Control, worker → primary: the worker() factory failed; the worker exits next. */
export interface StartFailedEnvelope extends EnvelopeBase {
  readonly kind: 'start-failed';
  readonly to: 'primary';
  readonly payload: { readonly name: string; readonly message: string };
}

/** How a worker is asked to stop: the whole cluster stops, or it is replaced in a rolling restart. */
export type StopMode = 'shutdown' | 'restart';

/** Control, primary → worker: stop gracefully. */
export interface ShutdownEnvelope extends EnvelopeBase {
  readonly kind: 'shutdown';
  readonly to: number;
  readonly payload: { readonly mode: StopMode };
}

/** Control, primary → worker: a lifecycle event and the worker table after it. */
export interface LifecycleEnvelope extends EnvelopeBase {
  readonly kind: 'lifecycle';
  readonly to: number;
  readonly payload: { readonly event: ClusterEvent; readonly workers: readonly WorkerInfo[] };
}

/** Envelopes that carry application data between endpoints. */
export type DataEnvelope =
  MessageEnvelope | BroadcastEnvelope | RequestEnvelope | ReplyEnvelope | ErrorReplyEnvelope;

/** Envelopes between the bootstrap runtimes of primary and worker. */
export type ControlEnvelope = ReadyEnvelope | StartFailedEnvelope | ShutdownEnvelope | LifecycleEnvelope;

/** Every envelope of this library, discriminated by `kind`. */
export type ClusterEnvelope = DataEnvelope | ControlEnvelope;

/** Result of reading an unknown IPC message. */
export type ParsedMessage =
  | { readonly status: 'ok'; readonly envelope: ClusterEnvelope }
  | { readonly status: 'foreign' }
  | { readonly status: 'malformed'; readonly reason: string };

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runtime guard for an `Address`. */
export function isAddress(value: unknown): value is Address {
  return value === 'primary' || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
}

const FAILURE_REASONS: ReadonlySet<unknown> = new Set([
  'handler-error',
  'no-handler',
  'invalid-payload',
  'unavailable',
  'exited',
]);

function isRemoteFailure(value: unknown): value is RemoteFailure {
  return (
    isRecord(value) &&
    FAILURE_REASONS.has(value.reason) &&
    typeof value.name === 'string' &&
    typeof value.message === 'string' &&
    (value.stack === undefined || typeof value.stack === 'string')
  );
}

/** True when `value` claims to be ours (`ns === 'nest-hive'`), valid or not. */
export function claimsNamespace(value: unknown): value is Fields {
  return isRecord(value) && value.ns === ENVELOPE_NAMESPACE;
}

function checkKind(m: Fields, from: Address): ClusterEnvelope | string {
  const { id, topic } = m;
  if (typeof id !== 'string' || typeof topic !== 'string') return 'missing id or topic';
  // Each case builds its envelope as one literal (no spread): this runs for every message.
  const ns = ENVELOPE_NAMESPACE;
  const v = ENVELOPE_VERSION;
  const to = m.to;
  switch (m.kind) {
    case 'message':
      if (!isAddress(to)) return 'bad "to"';
      return { ns, v, id, topic, from, kind: 'message', to, payload: m.payload, receipt: m.receipt === true };
    case 'broadcast':
      if (to !== '*' || typeof m.includeSelf !== 'boolean' || typeof m.origin !== 'string') {
        return 'bad broadcast fields';
      }
      return {
        ns,
        v,
        id,
        topic,
        from,
        kind: 'broadcast',
        to,
        payload: m.payload,
        includeSelf: m.includeSelf,
        origin: m.origin,
        viaTransport: m.viaTransport === true,
      };
    case 'request':
      if (!isAddress(to)) return 'bad "to"';
      if (typeof m.timeoutMs !== 'number' || !(m.timeoutMs > 0)) return 'bad timeoutMs';
      return { ns, v, id, topic, from, kind: 'request', to, payload: m.payload, timeoutMs: m.timeoutMs };
    case 'reply':
      if (!isAddress(to)) return 'bad "to"';
      return { ns, v, id, topic, from, kind: 'reply', to, payload: m.payload };
    case 'error-reply':
      if (!isAddress(to)) return 'bad "to"';
      if (!isRemoteFailure(m.payload)) return 'bad error-reply payload';
      return { ns, v, id, topic, from, kind: 'error-reply', to, payload: m.payload };
    case 'ready':
      if (to !== 'primary') return 'bad "to"';
      return { ns, v, id, topic, from, kind: 'ready', to, payload: null };
    case 'start-failed': {
      const payload = m.payload;
      if (to !== 'primary' || !isRecord(payload)) return 'bad start-failed fields';
      const { name, message } = payload;
      if (typeof name !== 'string' || typeof message !== 'string') return 'bad start-failed payload';
      return { ns, v, id, topic, from, kind: 'start-failed', to, payload: { name, message } };
    }
    case 'shutdown': {
      const payload = m.payload;
      if (typeof to !== 'number' || !isRecord(payload)) return 'bad shutdown fields';
      const mode = payload.mode;
      if (mode !== 'shutdown' && mode !== 'restart') return 'bad shutdown mode';
      return { ns, v, id, topic, from, kind: 'shutdown', to, payload: { mode } };
    }
    case 'lifecycle': {
      const payload = m.payload;
      if (typeof to !== 'number' || !isRecord(payload)) return 'bad lifecycle fields';
      const { event, workers } = payload;
      if (!isClusterEvent(event) || !isWorkerInfoList(workers)) return 'bad lifecycle payload';
      return { ns, v, id, topic, from, kind: 'lifecycle', to, payload: { event, workers } };
    }
    default:
      return `unknown kind ${JSON.stringify(m.kind) ?? 'undefined'}`;
  }
}

/**
 * Reads an unknown IPC message. Foreign messages (not an object, or no `ns: 'nest-hive'`) are
 * `foreign`; objects in our namespace that do not match the union are `malformed`.
 *
 * @param value - what arrived on the channel.
 */
export function parseEnvelope(value: unknown): ParsedMessage {
  if (!claimsNamespace(value)) return { status: 'foreign' };
  if (value.v !== ENVELOPE_VERSION) {
    return { status: 'malformed', reason: `unsupported version ${JSON.stringify(value.v) ?? 'undefined'}` };
  }
  if (!isAddress(value.from)) return { status: 'malformed', reason: 'bad "from"' };
  const checked = checkKind(value, value.from);
  return typeof checked === 'string'
    ? { status: 'malformed', reason: checked }
    : { status: 'ok', envelope: checked };
}

/** Several envelopes written together in one IPC message (see `IpcChannel`). */
export interface BatchEnvelope {
  readonly ns: typeof ENVELOPE_NAMESPACE;
  readonly v: typeof ENVELOPE_VERSION;
  readonly kind: 'batch';
  readonly items: readonly object[];
}

/** Wraps envelopes written together. */
export function batchEnvelope(items: readonly object[]): BatchEnvelope {
  return { ns: ENVELOPE_NAMESPACE, v: ENVELOPE_VERSION, kind: 'batch', items };
}

/**
 * The messages an IPC message carries: the items of a batch in order, or the
 * message itself. A batch whose `items` is not an array yields nothing and is
 * reported through `onMalformed`.
 */
export function unpackMessages(message: unknown, onMalformed: (reason: string) => void): readonly unknown[] {
  if (!claimsNamespace(message) || message.kind !== 'batch') return [message];
  if (message.v !== ENVELOPE_VERSION || !Array.isArray(message.items)) {
    onMalformed('bad batch');
    return [];
  }
  return message.items as unknown[];
}

/** True for the envelopes that carry application data. */
export function isDataEnvelope(envelope: ClusterEnvelope): envelope is DataEnvelope {
  switch (envelope.kind) {
    case 'message':
    case 'broadcast':
    case 'request':
    case 'reply':
    case 'error-reply':
      return true;
    default:
      return false;
  }
}

/** Fields common to every outgoing envelope. */
export function envelopeBase(id: string, topic: string, from: Address): EnvelopeBase {
  return { ns: ENVELOPE_NAMESPACE, v: ENVELOPE_VERSION, id, topic, from };
}

// Constructors: every envelope this library sends is built by one of these (one literal each,
// no spread, as they run for every message).

/** A `send()`. */
export function messageEnvelope(
  id: string,
  topic: string,
  from: Address,
  to: Address,
  payload: unknown,
  receipt: boolean,
): MessageEnvelope {
  return {
    ns: ENVELOPE_NAMESPACE,
    v: ENVELOPE_VERSION,
    id,
    topic,
    from,
    kind: 'message',
    to,
    payload,
    receipt,
  };
}

/** A `broadcast()` over IPC. */
export function broadcastEnvelope(
  id: string,
  topic: string,
  from: Address,
  payload: unknown,
  includeSelf: boolean,
  origin: string,
  viaTransport = false,
): BroadcastEnvelope {
  return {
    ns: ENVELOPE_NAMESPACE,
    v: ENVELOPE_VERSION,
    id,
    topic,
    from,
    kind: 'broadcast',
    to: '*',
    payload,
    includeSelf,
    origin,
    viaTransport,
  };
}

/** A `request()`. */
export function requestEnvelope(
  id: string,
  topic: string,
  from: Address,
  to: Address,
  payload: unknown,
  timeoutMs: number,
): RequestEnvelope {
  return {
    ns: ENVELOPE_NAMESPACE,
    v: ENVELOPE_VERSION,
    id,
    topic,
    from,
    kind: 'request',
    to,
    payload,
    timeoutMs,
  };
}

/** The answer to `request` from `from`: a reply, or (with `payload: null`) a delivery receipt. */
export function replyEnvelope(
  request: RequestEnvelope | MessageEnvelope,
  from: Address,
  payload: unknown,
): ReplyEnvelope {
  return {
    ns: ENVELOPE_NAMESPACE,
    v: ENVELOPE_VERSION,
    id: request.id,
    topic: request.topic,
    from,
    kind: 'reply',
    to: request.from,
    payload,
  };
}

/**
 * The failed answer to `request`, given by `from` (its target, or the primary on its behalf).
 * The one way an error reply is built.
 */
export function errorReplyEnvelope(
  request: RequestEnvelope | MessageEnvelope,
  from: Address,
  failure: RemoteFailure,
): ErrorReplyEnvelope {
  return {
    ns: ENVELOPE_NAMESPACE,
    v: ENVELOPE_VERSION,
    id: request.id,
    topic: request.topic,
    from,
    kind: 'error-reply',
    to: request.from,
    payload: failure,
  };
}

/** Control: the worker() factory of worker `from` resolved. */
export function readyEnvelope(id: string, topic: string, from: number): ReadyEnvelope {
  return { ...envelopeBase(id, topic, from), kind: 'ready', to: 'primary', payload: null };
}

/** Control: the worker() factory of worker `from` failed. */
export function startFailedEnvelope(
  id: string,
  topic: string,
  from: number,
  failure: StartFailedEnvelope['payload'],
): StartFailedEnvelope {
  return { ...envelopeBase(id, topic, from), kind: 'start-failed', to: 'primary', payload: failure };
}

/** Control: the primary asks worker `to` to stop. */
export function shutdownEnvelope(id: string, topic: string, to: number, mode: StopMode): ShutdownEnvelope {
  return { ...envelopeBase(id, topic, 'primary'), kind: 'shutdown', to, payload: { mode } };
}

/** Control: a lifecycle event and the worker table after it, for worker `to`. */
export function lifecycleEnvelope(
  id: string,
  topic: string,
  to: number,
  event: ClusterEvent,
  workers: readonly WorkerInfo[],
): LifecycleEnvelope {
  return { ...envelopeBase(id, topic, 'primary'), kind: 'lifecycle', to, payload: { event, workers } };
}
