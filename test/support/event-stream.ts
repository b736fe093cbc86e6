import { get, type ClientRequest } from 'node:http';

/** A Server-Sent Events stream being read. */
export interface OpenEventStream {
  /** Everything received so far. */
  text(): string;
  /** The `event:` names received so far, in order. */
  events(): string[];
  /** The pid of the worker that serves the stream (the demo's `x-served-by`), if it says. */
  servedBy: number | undefined;
  close(): void;
}

/** Opens `url` as an event stream over node:http and collects what arrives. */
export function openEventStream(url: string): Promise<OpenEventStream> {
  return new Promise((resolve, reject) => {
    let text = '';
    const request: ClientRequest = get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', () => undefined);
      const pid = Number(String(res.headers['x-served-by'] ?? '').split('/')[0]);
      resolve({
        servedBy: Number.isInteger(pid) && pid > 0 ? pid : undefined,
        text: () => text,
        events: () => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1] ?? ''),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}

/**
 * One event stream served by each worker of `pids` (new connections until every worker serves
 * one; extra ones are closed), so that what any worker that stays up sees is read, whichever
 * worker a fault then takes away.
 */
export async function openEventStreamOnEach(
  url: string,
  pids: readonly number[],
): Promise<OpenEventStream[]> {
  const streams = new Map<number, OpenEventStream>();
  for (let attempt = 0; attempt < 40 && streams.size < pids.length; attempt++) {
    const stream = await openEventStream(url);
    if (stream.servedBy !== undefined && pids.includes(stream.servedBy) && !streams.has(stream.servedBy)) {
      streams.set(stream.servedBy, stream);
    } else {
      stream.close();
    }
  }
  if (streams.size < pids.length) {
    for (const stream of streams.values()) stream.close();
    throw new Error(`no event stream on each of the workers ${pids.join(', ')} in 40 attempts`);
  }
  return [...streams.values()];
}
