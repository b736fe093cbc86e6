import { Cluster, type Redis, type RedisOptions } from 'ioredis';

/** The channel Redis sends tracking invalidations on to a RESP2 connection that redirects them to itself. */
const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** What a {@link RedisInvalidationFeed} tells its owner. */
export interface InvalidationListener {
  /** These keys changed (or expired, or were evicted) on some node. */
  keys(keys: readonly string[]): void;
  /** Every key may have changed: a node was flushed, or tracking was just set up. */
  everything(): void;
  /**
   * Invalidations may be missed from now on until a heartbeat succeeds again: a tracking connection
   * closed, or the Cluster's nodes changed and a new one is not followed yet.
   */
  lost(): void;
}

/** One node's tracking connection, and whether its tracking is set up. */
interface Tracker {
  readonly connection: Redis;
  tracking: boolean;
}

const TRACKER_SETTINGS: RedisOptions = {
  // Redis sends invalidations as pub/sub messages only to RESP2 connections (ioredis drops RESP3 pushes).
  protocol: 2,
  // Tracking is set up again on each connection before it subscribes: never before.
  autoResubscribe: false,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1_000),
  lazyConnect: false,
};

/**
 * Server-assisted invalidation for a read cache: one connection to every node the data client
 * reads from (the server, the Sentinel master, every node of a Cluster, replicas included, so a
 * promoted replica is already followed), each with `CLIENT TRACKING ON BCAST PREFIX <prefix>`
 * redirected to itself and subscribed to `__redis__:invalidate`. Redis then sends it the name of
 * every key under the prefix that changes, whoever changed it.
 *
 * `heartbeat()` sends `PING` on each connection: its answer comes after every invalidation sent
 * before it on that connection, so it confirms that nothing was missed up to then. A connection that
 * closes, or a Cluster whose nodes change, reports `lost()`.
 */
export class RedisInvalidationFeed {
  private readonly trackers = new Map<string, Tracker>();
  private readonly follow = (): void => this.syncNodes();
  private closed = false;

  /**
   * @param client - the store's data client (its connection settings are reused).
   * @param prefix - the key prefix to follow, e.g. `'sess:{'`.
   * @param listener - told of every invalidation.
   */
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    private readonly listener: InvalidationListener,
  ) {
    if (client instanceof Cluster) {
      // A node joins or leaves the client's pool (a failover, a new master): follow it at once.
      client.on('+node', this.follow);
      client.on('-node', this.follow);
    }
    this.syncNodes();
  }

  /** Whether every node's tracking is set up (a confirmation is possible). */
  get tracking(): boolean {
    return this.trackers.size > 0 && [...this.trackers.values()].every((tracker) => tracker.tracking);
  }

  /**
   * Follows the Cluster's current nodes, then pings every tracking connection. `true` once every
   * one answered and still tracks: every invalidation a node sent before the ping has arrived.
   * Never rejects.
   */
  async heartbeat(): Promise<boolean> {
    if (this.closed) return false;
    this.syncNodes();
    if (!this.tracking) return false;
    const trackers = [...this.trackers.values()];
    try {
      await Promise.all(trackers.map((tracker) => tracker.connection.ping()));
    } catch {
      return false; // a connection in trouble: the lease runs out
    }
    return !this.closed && trackers.every((tracker) => tracker.tracking);
  }

  /** Closes every tracking connection. */
  close(): void {
    this.closed = true;
    this.client.off('+node', this.follow);
    this.client.off('-node', this.follow);
    for (const tracker of this.trackers.values()) tracker.connection.disconnect();
    this.trackers.clear();
  }

  /** The nodes to follow: the server, or every node a Cluster client knows now. */
  private nodes(): Map<string, Redis> {
    if (!(this.client instanceof Cluster)) return new Map([['server', this.client]]);
    const nodes = new Map<string, Redis>();
    for (const node of this.client.nodes('all')) {
      nodes.set(`${String(node.options.host)}:${String(node.options.port)}`, node);
    }
    return nodes;
  }

  private syncNodes(): void {
    if (this.closed) return;
    const nodes = this.nodes();
    let changed = false;
    for (const [name, tracker] of this.trackers) {
      if (nodes.has(name)) continue;
      tracker.connection.disconnect();
      this.trackers.delete(name);
      changed = true;
    }
    for (const [name, node] of nodes) {
      if (this.trackers.has(name)) continue;
      this.trackers.set(name, this.track(node));
      changed = true;
    }
    // A node that joined may have taken keys over: nothing is sure until it is followed.
    if (changed) this.listener.lost();
  }

  private track(node: Redis): Tracker {
    const sentinel = node.options.sentinels !== undefined && node.options.sentinels !== null;
    const connection = node.duplicate({
      ...TRACKER_SETTINGS,
      ...(sentinel ? { failoverDetector: true } : {}),
    });
    const tracker: Tracker = { connection, tracking: false };
    connection.on('error', () => undefined); // the data client reports the trouble
    connection.on('close', () => {
      tracker.tracking = false;
      this.listener.lost();
    });
    connection.on('ready', () => void this.setUp(tracker));
    connection.on('messageBuffer', (channel: Buffer, message: unknown) => {
      if (channel.toString() === INVALIDATE_CHANNEL) this.deliver(message);
    });
    return tracker;
  }

  /** Turns tracking on for this connection, redirected to itself, then subscribes to the invalidations. */
  private async setUp(tracker: Tracker): Promise<void> {
    const { connection } = tracker;
    try {
      const id = String(await connection.call('CLIENT', 'ID'));
      await connection.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', id, 'BCAST', 'PREFIX', this.prefix);
      await connection.subscribe(INVALIDATE_CHANNEL);
      // Whatever changed before tracking began was never announced.
      this.listener.everything();
      tracker.tracking = true;
    } catch {
      connection.disconnect(true); // try again on a fresh connection
    }
  }

  private deliver(message: unknown): void {
    if (!Array.isArray(message)) {
      this.listener.everything(); // a flush: null
      return;
    }
    this.listener.keys(message.map((key: unknown) => String(key)));
  }
}
