import { type Socket } from 'node:net';

/**
 * Stops the process from reading a socket it is about to hand to another process.
 *
 * A process that passes a socket's file descriptor keeps its own copy open until the receiver
 * acknowledges it, and Node keeps reading it meanwhile (a socket Node creates for a received
 * handle starts reading at once, and an HTTP server's parser reads natively). Once the final owner
 * answered the request, the client's next request could then be read, and lost, by a process
 * that is only passing the socket on. Node has no public call for this, so it uses the stream
 * handle's `readStop()` when there is one (every TCP socket has it), and does nothing otherwise.
 */
export function stopReading(socket: Socket): void {
  const handle: unknown = Reflect.get(socket, '_handle');
  if (typeof handle !== 'object' || handle === null) return;
  const readStop: unknown = Reflect.get(handle, 'readStop');
  if (typeof readStop !== 'function') return;
  Reflect.set(handle, 'reading', false);
  readStop.call(handle);
}
