import { type Serialization } from './message-codec.js';

/** IPC channel settings shared by primary and workers. */
export interface ChannelSettings {
  /** IPC serialization. */
  readonly serialization: Serialization;
  /** Largest serialized message. */
  readonly maxMessageBytes: number;
  /** Send-queue bound per channel. */
  readonly maxQueuedMessages: number;
}

/** Channel settings used until `bootstrapCluster` configures the runtime. */
export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  serialization: 'json',
  maxMessageBytes: 1024 * 1024,
  maxQueuedMessages: 10_000,
};
