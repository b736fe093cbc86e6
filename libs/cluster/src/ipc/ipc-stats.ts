/** What one process' IPC did since it started: counters read by `@nest-hive/cluster/metrics`. */
export interface IpcStatsSnapshot {
  /** Messages this process wrote to its IPC channels (a batch counts each message in it). */
  readonly messagesSent: number;
  /** Messages that reached this process over IPC (a batch counts each message in it). */
  readonly messagesReceived: number;
  /**
   * Bytes of the messages this process' endpoints sent, as measured against `maxMessageBytes`
   * (an upper bound for small JSON messages; exact near the limit and for `advanced`).
   */
  readonly bytesSent: number;
  /** Messages waiting in send queues because a channel's backlog is full. */
  readonly queuedMessages: number;
  /** Requests of this process' endpoints awaiting an answer. */
  readonly pendingRequests: number;
  /** Requests of this process' endpoints that failed with `ClusterTimeoutError`. */
  readonly requestTimeouts: number;
  /**
   * Replies that reached this process' endpoints after their request had settled (timed out,
   * failed or given up) and were dropped.
   */
  readonly lateReplies: number;
}

/** The mutable counters behind {@link IpcStatsSnapshot}, one set per process' hub. */
export class IpcStats {
  messagesSent = 0;
  messagesReceived = 0;
  bytesSent = 0;
  pendingRequests = 0;
  requestTimeouts = 0;
  lateReplies = 0;

  /** A copy, with the queue depth the hub measured. */
  snapshot(queuedMessages: number): IpcStatsSnapshot {
    return {
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      bytesSent: this.bytesSent,
      queuedMessages,
      pendingRequests: this.pendingRequests,
      requestTimeouts: this.requestTimeouts,
      lateReplies: this.lateReplies,
    };
  }
}
