// @ts-check
import { isRecord, isServedBy } from './guards.js';

/** @typedef {import('./guards.js').ServedBy} ServedBy */

/**
 * @typedef {object} StreamStatus
 * @property {'connecting' | 'live' | 'reconnecting'} state
 * @property {ServedBy | null} via - the worker serving the stream, once an event named it.
 * @property {number} retryInMs - `reconnecting` only: when the next attempt starts.
 */

/**
 * @typedef {object} StreamHandlers
 * @property {(status: StreamStatus) => void} onStatus - connection state changes.
 * @property {() => void} onOpen - the stream (re)opened: events may have been missed, resync.
 * @property {(type: string, data: Record<string, unknown>) => void} onEvent - one parsed event.
 */

/** First reconnection delay; it doubles per failed attempt, up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

/**
 * The demo's Server-Sent Events stream, kept open. When it drops (the worker serving it was
 * killed, restarted or stopped) it reconnects on its own schedule, quicker than EventSource's
 * default, and reports each state so the page can show it and resync what it missed.
 */
export class ClusterStream {
  /** @type {EventSource | null} */
  #source = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #timer;
  #failures = 0;
  /** @type {ServedBy | null} */
  #via = null;

  /**
   * @param {string} url
   * @param {readonly string[]} types - the `event:` names to listen to.
   * @param {StreamHandlers} handlers
   */
  constructor(url, types, handlers) {
    this.url = url;
    this.types = types;
    this.handlers = handlers;
  }

  /** Opens the stream. */
  start() {
    this.#connect();
  }

  /** Closes the stream for good. */
  stop() {
    clearTimeout(this.#timer);
    this.#source?.close();
    this.#source = null;
  }

  #connect() {
    const source = new EventSource(this.url);
    this.#source = source;
    this.#via = null;
    this.handlers.onStatus({ state: 'connecting', via: null, retryInMs: 0 });
    source.addEventListener('open', () => {
      this.#failures = 0;
      this.handlers.onStatus({ state: 'live', via: this.#via, retryInMs: 0 });
      this.handlers.onOpen();
    });
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      source.close();
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
      this.#failures += 1;
      this.handlers.onStatus({ state: 'reconnecting', via: null, retryInMs: delay });
      this.#timer = setTimeout(() => this.#connect(), delay);
    });
    for (const type of this.types) {
      source.addEventListener(type, (event) => this.#dispatch(type, event));
    }
  }

  /**
   * @param {string} type
   * @param {MessageEvent<unknown>} event
   */
  #dispatch(type, event) {
    /** @type {unknown} */
    let data;
    try {
      data = typeof event.data === 'string' ? JSON.parse(event.data) : undefined;
    } catch {
      return;
    }
    if (!isRecord(data)) return;
    if (isServedBy(data.servedBy) && this.#via?.pid !== data.servedBy.pid) {
      this.#via = data.servedBy;
      this.handlers.onStatus({ state: 'live', via: this.#via, retryInMs: 0 });
    }
    this.handlers.onEvent(type, data);
  }
}
