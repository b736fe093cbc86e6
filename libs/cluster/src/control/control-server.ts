import { chmodSync, lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type Server, type Socket, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { Logger } from '@nestjs/common';
import {
  type ClusterStatus,
  type ControlReply,
  type ControlRequest,
  parseControlRequest,
} from './control-protocol.js';
import { controlDirectory, controlSocketPath, runningPrimaries } from './control-socket.js';

/** What the control socket can do to the cluster. */
export interface ControlActions {
  status(): ClusterStatus;
  reload(): Promise<void>;
  scale(workers: number): Promise<void>;
}

/** The longest request line read. */
const MAX_LINE = 4_096;

/** Why `directory` is no safe place for a control socket, or `null` when it is ours and private. */
function unsafeDirectory(directory: string): string | null {
  const stat = lstatSync(directory);
  if (!stat.isDirectory()) return `${directory} is not a folder`;
  if (stat.uid !== userInfo().uid) return `${directory} belongs to another user (uid ${stat.uid})`;
  if ((stat.mode & 0o077) !== 0)
    return `${directory} is open to other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
}

/** Removes sockets left by primaries that no longer run (killed, so they could not), and one at `own`. */
function sweepStaleSockets(directory: string, own: string): void {
  const live = new Set(runningPrimaries(directory).map((pid) => controlSocketPath(pid, directory)));
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (/^primary-\d+\.sock$/.test(name) && (path === own || !live.has(path))) {
      try {
        unlinkSync(path);
      } catch {
        // another primary swept it first
      }
    }
  }
}

/**
 * The primary's control socket for the `nest-hive` CLI: a Unix socket only its owner can open
 * (in a 0700 folder, itself 0600), one JSON request and reply per line. Removed on close.
 */
export class ControlServer {
  private readonly logger = new Logger('NestHiveCluster');
  private server: Server | undefined;
  private readonly path: string;
  private readonly sockets = new Set<Socket>();

  /** @param actions - what the commands do. */
  constructor(private readonly actions: ControlActions) {
    this.path = controlSocketPath(process.pid, controlDirectory());
  }

  /** Opens the socket; on a folder that is not private it logs why and opens nothing. */
  async start(): Promise<void> {
    const directory = controlDirectory();
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      const unsafe = unsafeDirectory(directory);
      if (unsafe) {
        this.logger.error(
          `No control socket for the nest-hive CLI: ${unsafe}. Remove it, or set NEST_HIVE_CONTROL_DIR.`,
        );
        return;
      }
      sweepStaleSockets(directory, this.path);
      const server = createServer((socket) => this.serve(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => resolve());
      });
      chmodSync(this.path, 0o600);
      server.unref();
      this.server = server;
    } catch (error) {
      this.logger.error(
        `No control socket for the nest-hive CLI at ${this.path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Closes the socket and removes its file. A command still running (a `reload` when the cluster
   * is asked to stop) loses its connection: the shutdown does not wait for it.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private serve(socket: Socket): void {
    let buffer = '';
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) {
        this.reply(socket, { ok: false, error: 'The request is too long.' });
        return;
      }
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      const request = parseControlRequest(buffer.slice(0, end));
      socket.removeAllListeners('data');
      if (!request) {
        this.reply(socket, { ok: false, error: 'Unknown request: expected status, reload or scale.' });
        return;
      }
      this.run(request).then(
        (reply) => this.reply(socket, reply),
        (error: unknown) =>
          this.reply(socket, { ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    });
  }

  private async run(request: ControlRequest): Promise<ControlReply> {
    switch (request.command) {
      case 'status':
        return { ok: true, status: this.actions.status() };
      case 'reload':
        this.logger.log('Rolling restart asked by the nest-hive CLI');
        await this.actions.reload();
        return { ok: true };
      case 'scale':
        this.logger.log(`Scaling to ${request.workers} workers, asked by the nest-hive CLI`);
        await this.actions.scale(request.workers);
        return { ok: true };
    }
  }

  private reply(socket: Socket, reply: ControlReply): void {
    socket.end(`${JSON.stringify(reply)}\n`);
  }
}
