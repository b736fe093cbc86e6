/** Longest chat text. */
export const CHAT_MAX_TEXT_LENGTH = 500;
/** Largest socket.io message (engine.io `maxHttpBufferSize`); larger ones close the connection. */
export const CHAT_MAX_HTTP_BUFFER_BYTES = 16 * 1024;
/** Events one socket may send per second; more are dropped with an `error` event. */
export const CHAT_EVENTS_PER_SECOND = 20;

/**
 * The chat's transports: both (long-polling first, then the upgrade), or WebSocket only when
 * sticky sessions are off (`DEMO_STICKY=0`, read here because gateway options are static).
 */
export const CHAT_TRANSPORTS: Array<'polling' | 'websocket'> =
  process.env.DEMO_STICKY === '0' ? ['websocket'] : ['polling', 'websocket'];
