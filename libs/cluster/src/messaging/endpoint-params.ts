import { type Address, type ClusterSelf } from '../cluster.interfaces.js';
import { type BroadcastTransportFactory } from '../transport/broadcast-transport.js';

/** Where and how an endpoint attaches: the one way an endpoint is described. */
export interface EndpointParams {
  /** Its address on the hub. */
  readonly address: Address;
  /** Its identity. */
  readonly self: ClusterSelf;
  /** Default request timeout in ms. */
  readonly requestTimeoutMs: number;
  /** Custom broadcast transport; IPC through the primary when absent. */
  readonly transport?: BroadcastTransportFactory;
  /** Takes the app's HTTP server for graceful draining (the runtime serving this endpoint's app). */
  readonly onHttpServer?: (server: unknown) => void;
  /** Runs after the endpoint closed (e.g. to close a private hub). */
  readonly onClose?: () => Promise<void> | void;
}
