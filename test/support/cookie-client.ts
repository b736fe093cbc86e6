import { Agent, request as httpRequest, validateHeaderValue } from 'node:http';
import { connect } from 'node:net';

/** One reply to a request with hand-made `Cookie` header lines. */
export interface CookieReply {
  /** HTTP status; `0` when the server closed the connection without an answer. */
  status: number;
  body: string;
  setCookies: string[];
  /** `agent`: sent by Node's HTTP client; `raw`: bytes written on a socket (the client refuses them). */
  via: 'agent' | 'raw';
}

/** Header lines over this many bytes go over a raw socket: the server answers 431 and closes at once. */
const RAW_ABOVE_BYTES = 14_000;

/**
 * Sends GET requests whose `Cookie` header lines are given byte for byte (as
 * latin1 strings). Lines Node's client accepts go over one keep-alive
 * connection; lines it refuses (control characters) or that are far too
 * large go over a raw socket, so that the server's own parser decides.
 */
export class CookieClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly baseUrl: string) {
    if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error(`127.0.0.1 only, not ${baseUrl}`);
  }

  /** Sends `GET path` with the given `Cookie` header lines. */
  send(path: string, lines: readonly string[], timeoutMs = 5_000): Promise<CookieReply> {
    const size = lines.reduce((sum, line) => sum + line.length, 0);
    if (size <= RAW_ABOVE_BYTES && lines.every(acceptedByClient))
      return this.viaAgent(path, lines, timeoutMs);
    return this.viaSocket(path, lines, timeoutMs);
  }

  /** Closes the keep-alive connection. */
  close(): void {
    this.agent.destroy();
  }

  private viaAgent(path: string, lines: readonly string[], timeoutMs: number): Promise<CookieReply> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        this.baseUrl + path,
        { agent: this.agent, headers: { cookie: lines.length === 1 ? lines[0] : [...lines] } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              setCookies: res.headers['set-cookie'] ?? [],
              via: 'agent',
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${path} in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  private viaSocket(path: string, lines: readonly string[], timeoutMs: number): Promise<CookieReply> {
    const { hostname, port } = new URL(this.baseUrl);
    const head = [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      ...lines.map((line) => `Cookie: ${line}`),
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(new Error(`no answer to ${path} in ${timeoutMs} ms`)),
      );
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close before it has read a huge header: that is a refusal, not a crash.
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
        reject(error);
      });
      socket.on('close', () =>
        resolve({ ...parseRawReply(Buffer.concat(chunks).toString('latin1')), via: 'raw' }),
      );
      socket.end(Buffer.from(head, 'latin1'));
    });
  }
}

function acceptedByClient(line: string): boolean {
  try {
    validateHeaderValue('cookie', line);
    return true;
  } catch {
    return false;
  }
}

/** Status, Set-Cookie values and body of a raw HTTP/1.1 reply (one reply, `Connection: close`). */
function parseRawReply(text: string): Omit<CookieReply, 'via'> {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
  if (!match) return { status: 0, body: '', setCookies: [] };
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  let body = split === -1 ? '' : text.slice(split + 4);
  const headers = head.split('\r\n').slice(1);
  if (headers.some((h) => /^transfer-encoding:\s*chunked/i.test(h))) body = unchunk(body);
  const setCookies = headers
    .filter((h) => /^set-cookie:/i.test(h))
    .map((h) => h.slice(h.indexOf(':') + 1).trim());
  return { status: Number(match[1]), body: Buffer.from(body, 'latin1').toString('utf8'), setCookies };
}

function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
