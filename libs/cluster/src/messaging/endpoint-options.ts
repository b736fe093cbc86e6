import { type Address, type ClusterSelf } from '../cluster.interfaces.js';
import { type Hub } from '../hub/hub.js';
import { type BroadcastTransportFactory } from '../transport/broadcast-transport.js';
import { IpcBroadcastTransport } from '../transport/ipc-broadcast.transport.js';
import { type ClusterEndpointOptions } from './cluster-endpoint.js';

/** Where and how an endpoint attaches. */
export interface EndpointParams {
  /** Its address on the hub. */
  readonly address: Address;
  /** Its identity. */
  readonly self: ClusterSelf;
  /** Default request timeout in ms. */
  readonly requestTimeoutMs: number;
  /** Custom broadcast transport; IPC when absent. */
  readonly transport?: BroadcastTransportFactory;
  /** Runs after the endpoint closed (e.g. to close a private hub). */
  readonly onClose?: () => Promise<void> | void;
}

/**
 * Builds the constructor options of an endpoint on `hub`. This is the one place where the
 * broadcast transport is chosen: the given factory, or IPC through the primary.
 */
export function endpointOptions(hub: Hub, params: EndpointParams): ClusterEndpointOptions {
  const { address, self, transport } = params;
  return {
    attach: (handles) => hub.attach({ address, self, handles }),
    transport: (link) =>
      transport ? transport({ self: link.self, origin: link.origin }) : new IpcBroadcastTransport(link),
    requestTimeoutMs: params.requestTimeoutMs,
    onClose: params.onClose,
  };
}
