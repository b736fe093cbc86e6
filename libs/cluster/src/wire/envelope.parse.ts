/**
 * Reading envelopes off an IPC channel. Anything on the channel that is not ours (raw strings,
 * other libraries' objects, Node's `NODE_*` messages) is `foreign` and ignored; an object that
 * claims our namespace but is malformed is reported. Each kind has one parser in `PARSERS`.
 */
import { ENVELOPE_NAMESPACE, ENVELOPE_VERSION } from '../cluster.constants.js';
import { type Address } from '../cluster.interfaces.js';
import { isClusterEvent, isWorkerInfoList } from './cluster-event.js';
import {
  type ClusterEnvelope,
  type DataEnvelope,
  type EnvelopeOfKind,
  type ParsedMessage,
  type RemoteFailure,
} from './envelope.types.js';

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

/** Reads the kind-specific fields of `m`: the envelope (one literal, no spread) or why not. */
type KindParser<K extends ClusterEnvelope['kind']> = (
  m: Fields,
  id: string,
  topic: string,
  from: Address,
) => EnvelopeOfKind<K> | string;

const ns = ENVELOPE_NAMESPACE;
const v = ENVELOPE_VERSION;

// One parser per kind. They run for every message: each builds its envelope as one literal.
const BY_KIND: { readonly [K in ClusterEnvelope['kind']]: KindParser<K> } = {
  message: (m, id, topic, from) => {
    const to = m.to;
    if (!isAddress(to)) return 'bad "to"';
    return { ns, v, id, topic, from, kind: 'message', to, payload: m.payload, receipt: m.receipt === true };
  },
  broadcast: (m, id, topic, from) => {
    const { to, includeSelf, origin } = m;
    if (to !== '*' || typeof includeSelf !== 'boolean' || typeof origin !== 'string') {
      return 'bad broadcast fields';
    }
    const viaTransport = m.viaTransport === true;
    return {
      ns,
      v,
      id,
      topic,
      from,
      kind: 'broadcast',
      to,
      payload: m.payload,
      includeSelf,
      origin,
      viaTransport,
    };
  },
  request: (m, id, topic, from) => {
    const { to, timeoutMs } = m;
    if (!isAddress(to)) return 'bad "to"';
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0)) return 'bad timeoutMs';
    return { ns, v, id, topic, from, kind: 'request', to, payload: m.payload, timeoutMs };
  },
  reply: (m, id, topic, from) => {
    const to = m.to;
    if (!isAddress(to)) return 'bad "to"';
    return { ns, v, id, topic, from, kind: 'reply', to, payload: m.payload };
  },
  'error-reply': (m, id, topic, from) => {
    const { to, payload } = m;
    if (!isAddress(to)) return 'bad "to"';
    if (!isRemoteFailure(payload)) return 'bad error-reply payload';
    return { ns, v, id, topic, from, kind: 'error-reply', to, payload };
  },
  ready: (m, id, topic, from) => {
    if (m.to !== 'primary') return 'bad "to"';
    return { ns, v, id, topic, from, kind: 'ready', to: 'primary', payload: null };
  },
  'start-failed': (m, id, topic, from) => {
    const payload = m.payload;
    if (m.to !== 'primary' || !isRecord(payload)) return 'bad start-failed fields';
    const { name, message, code, syscall, port } = payload;
    if (typeof name !== 'string' || typeof message !== 'string') return 'bad start-failed payload';
    const failure: { name: string; message: string; code?: string; syscall?: string; port?: number } = {
      name,
      message,
    };
    // Optional details: kept when well formed, dropped otherwise (an older worker sends none).
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(code)) failure.code = code;
    if (typeof syscall === 'string' && /^[a-z_]{1,32}$/.test(syscall)) failure.syscall = syscall;
    if (Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65_535)
      failure.port = port as number;
    return { ns, v, id, topic, from, kind: 'start-failed', to: 'primary', payload: failure };
  },
  shutdown: (m, id, topic, from) => {
    const { to, payload } = m;
    if (typeof to !== 'number' || !isRecord(payload)) return 'bad shutdown fields';
    const mode = payload.mode;
    if (mode !== 'shutdown' && mode !== 'restart') return 'bad shutdown mode';
    return { ns, v, id, topic, from, kind: 'shutdown', to, payload: { mode } };
  },
  lifecycle: (m, id, topic, from) => {
    const { to, payload } = m;
    if (typeof to !== 'number' || !isRecord(payload)) return 'bad lifecycle fields';
    const { event, workers } = payload;
    if (!isClusterEvent(event) || !isWorkerInfoList(workers)) return 'bad lifecycle payload';
    return { ns, v, id, topic, from, kind: 'lifecycle', to, payload: { event, workers } };
  },
  ping: (m, id, topic, from) => {
    if (from !== 'primary' || typeof m.to !== 'number') return 'bad ping fields';
    return { ns, v, id, topic, from, kind: 'ping', to: m.to, payload: null };
  },
  pong: (m, id, topic, from) => {
    const { to, payload } = m;
    if (to !== 'primary' || !isRecord(payload)) return 'bad pong fields';
    const rssBytes = payload.rssBytes;
    if (typeof rssBytes !== 'number' || !Number.isFinite(rssBytes) || rssBytes < 0) return 'bad pong payload';
    return { ns, v, id, topic, from, kind: 'pong', to: 'primary', payload: { rssBytes } };
  },
};

type AnyKindParser = (m: Fields, id: string, topic: string, from: Address) => ClusterEnvelope | string;

/** The parsers by kind; a Map, so no `kind` (e.g. `'constructor'`) can reach the prototype. */
const PARSERS: ReadonlyMap<unknown, AnyKindParser> = new Map<unknown, AnyKindParser>(Object.entries(BY_KIND));

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
  const { from, id, topic } = value;
  if (!isAddress(from)) return { status: 'malformed', reason: 'bad "from"' };
  if (typeof id !== 'string' || typeof topic !== 'string') {
    return { status: 'malformed', reason: 'missing id or topic' };
  }
  const parse = PARSERS.get(value.kind);
  if (!parse) {
    return { status: 'malformed', reason: `unknown kind ${JSON.stringify(value.kind) ?? 'undefined'}` };
  }
  const checked = parse(value, id, topic, from);
  return typeof checked === 'string'
    ? { status: 'malformed', reason: checked }
    : { status: 'ok', envelope: checked };
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
