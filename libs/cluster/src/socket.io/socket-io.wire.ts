import { type ClusterMessage, type ClusterResponse, MessageType } from 'socket.io-adapter';
import { defineTopic } from '../messaging/topic.js';

/** Which node of which cluster sent a packet: lets a node forget the dead workers of its own cluster. */
export interface SocketIoNode {
  /** Names one cluster (host and primary pid): worker ids are only unique within it. */
  readonly cluster: string;
  /** The sender's worker id. */
  readonly worker: number;
}

/** One socket.io-adapter packet on the cluster's broadcast path. */
export type SocketIoPacket =
  | { readonly node: SocketIoNode; readonly message: ClusterMessage }
  | { readonly node: SocketIoNode; readonly response: ClusterResponse; readonly requester: string };

const MESSAGE_TYPES = new Set<unknown>(Object.values(MessageType).filter((v) => typeof v === 'number'));

function isNode(value: unknown): value is SocketIoNode {
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Record<string, unknown>;
  return typeof node.cluster === 'string' && Number.isSafeInteger(node.worker);
}

function isAdapterPacket(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const packet = value as Record<string, unknown>;
  return typeof packet.uid === 'string' && typeof packet.nsp === 'string' && MESSAGE_TYPES.has(packet.type);
}

/**
 * Checks the envelope of a packet: its sender, and a socket.io-adapter message or response with
 * a uid, a namespace and a known type. The body (`data`) is socket.io-adapter's to read, as it
 * reads it from its own adapters; it only comes from this app's own workers.
 */
export function isSocketIoPacket(value: unknown): value is SocketIoPacket {
  if (typeof value !== 'object' || value === null) return false;
  const packet = value as Record<string, unknown>;
  if (!isNode(packet.node)) return false;
  if ('message' in packet) return isAdapterPacket(packet.message);
  return isAdapterPacket(packet.response) && typeof packet.requester === 'string';
}

/** The topic socket.io adapters broadcast on (reserved prefix: it belongs to this library). */
export const SOCKET_IO_TOPIC = defineTopic<SocketIoPacket>('nest-hive:socket.io', {
  validate: isSocketIoPacket,
});
