/** Longest chat text. */
export const CHAT_MAX_TEXT_LENGTH = 500;
/** Largest socket.io message (engine.io `maxHttpBufferSize`); larger ones close the connection. */
export const CHAT_MAX_HTTP_BUFFER_BYTES = 16 * 1024;
/** Events one socket may send per second; more are dropped with an `error` event. */
export const CHAT_EVENTS_PER_SECOND = 20;
