import { get, type ClientRequest } from 'node:http';

/** A Server-Sent Events stream being read. */
export interface OpenEventStream {
  /** Everything received so far. */
  text(): string;
  /** The `event:` names received so far, in order. */
  events(): string[];
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
      resolve({
        text: () => text,
        events: () => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1] ?? ''),
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
