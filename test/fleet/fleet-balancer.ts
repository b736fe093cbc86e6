/**
 * HAProxy (Debian's package) in front of the fleet, as the deployment guide sets it up: round robin
 * over the hosts, each health-checked on `GET /health` (down after 2 failed checks, up after 2 good
 * ones), failing open when no host passes them, a request that could not reach a host sent to
 * another, socket.io on a backend of its own where a cookie keeps each client on one host. A request
 * a host took and never answered (its link cut) fails after `timeout server`, 8 s here: set it to
 * the longest answer your routes may take. It runs on a host of its own (`lb`), listening on port 80.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type CommandWrapper } from '../support/processes.js';

/** A server behind the balancer. */
export interface BalancedServer {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/** What HAProxy's statistics say of one server of the HTTP backend. */
export interface ServerStatus {
  /** `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2` (coming up)… */
  readonly status: string;
  /** Requests it answered, by its status class. */
  readonly responses: number;
}

/** Response header naming the host a request went to (`h1`, `h2`). */
export const FLEET_HOST_HEADER = 'x-fleet-host';

/** Where HAProxy listens, where its statistics socket is, and the servers behind it. */
export interface HaproxySetup {
  /** `address:port` */
  readonly bind: string;
  readonly statsSocket: string;
  readonly servers: readonly BalancedServer[];
}

/**
 * The HAProxy configuration of the fleet rehearsal, the one `docs/operations/deployment.md` shows
 * (a test checks the guide's copy against this one, with the guide's addresses).
 */
export function haproxyConfig({ bind, statsSocket, servers }: HaproxySetup): string {
  const serverLines = (suffix: (name: string) => string) =>
    servers.map(({ name, address, port }) => `  server ${name} ${address}:${port}${suffix(name)}`);
  const openLines = servers.map(
    ({ name, address, port }) => `  server ${name}-open ${address}:${port} backup`,
  );
  return [
    'global',
    `  stats socket ${statsSocket} mode 600 level admin`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  # The longest answer a route may take: a request a machine took and never answered fails after it.',
    '  timeout server 8s',
    '  timeout check 1500ms',
    '  # socket.io connections stay open.',
    '  timeout tunnel 1h',
    '  # A request that could not connect to a machine, or whose kept-alive connection the machine had',
    '  # just closed (no response at all), is sent again, to another machine.',
    '  retries 2',
    '  retry-on conn-failure empty-response',
    '  option redispatch 1',
    '  # Checks every second; every 250 ms once one failed (or passed while down); every 500 ms while down.',
    '  # 2 in a row take a machine out or bring it back.',
    `  default-server ${CHECK}`,
    '',
    'frontend web',
    `  bind ${bind}`,
    '  use_backend sockets if { path_beg /socket.io/ }',
    '  default_backend machines',
    '',
    'backend machines',
    '  balance roundrobin',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    `  http-response set-header ${FLEET_HOST_HEADER} %[srv_name]`,
    '  # Fail open: when no machine passes its checks (the Redis they all share is failing over), every',
    '  # machine takes requests anyway, and serves them again the moment Redis does.',
    '  option allbackups',
    ...serverLines(() => ' check'),
    ...openLines,
    '',
    '# socket.io: a cookie keeps each client on the machine of its handshake (long-polling needs it).',
    'backend sockets',
    '  balance roundrobin',
    '  cookie fleet-host insert indirect nocache',
    '  option httpchk GET /health',
    '  http-check expect status 200',
    ...serverLines((name) => ` check cookie ${name}`),
    '',
  ].join('\n');
}

/** Health checks, as the configuration's comment says; 1.5 s each at most (`timeout check`). */
const CHECK = 'inter 1s fastinter 250ms downinter 500ms fall 2 rise 2';

/** HAProxy, running in the foreground as a child of the test. */
export class FleetBalancer {
  private constructor(
    /** `http://<its host's address>` */
    readonly url: string,
    private readonly dir: string,
    private readonly child: ReturnType<typeof spawn>,
    private readonly output: () => string,
  ) {}

  /** Starts HAProxy on the host `at` (its address, and how to run a command there) in front of `servers`; resolves once it answers. */
  static async start(
    at: { readonly address: string; readonly wrap: CommandWrapper },
    servers: readonly BalancedServer[],
  ): Promise<FleetBalancer> {
    const dir = mkdtempSync(join(tmpdir(), 'nest-hive-haproxy-'));
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(
      file,
      haproxyConfig({ bind: `${at.address}:80`, statsSocket: join(dir, 'admin.sock'), servers }),
    );
    const [command, ...args] = at.wrap(['haproxy', '-db', '-f', file]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const balancer = new FleetBalancer(`http://${at.address}`, dir, child, () => output);
    try {
      await waitFor('HAProxy to answer on its statistics socket', async () => {
        if (child.exitCode !== null) throw new Error(`HAProxy exited: ${output}`);
        const statuses = await balancer.statuses();
        return servers.every(({ name }) => statuses.has(name)) ? true : undefined;
      });
      return balancer;
    } catch (error) {
      await balancer.stop();
      throw error;
    }
  }

  /** Each server of the HTTP backend (the backups too), by name (`show stat` on the statistics socket). */
  async statuses(): Promise<Map<string, ServerStatus>> {
    const csv = await this.admin('show stat');
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header.split(',');
    const column = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
    const statuses = new Map<string, ServerStatus>();
    for (const row of rows.map((line) => line.split(','))) {
      if (column(row, 'pxname') !== 'machines' || ['FRONTEND', 'BACKEND'].includes(column(row, 'svname')))
        continue;
      const responses = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx']
        .map((name) => Number(column(row, name)) || 0)
        .reduce((sum, count) => sum + count, 0);
      statuses.set(column(row, 'svname'), { status: column(row, 'status'), responses });
    }
    return statuses;
  }

  /** Waits (bounded) until HAProxy says `status` (`UP`, `DOWN`) of server `name`; resolves with when it first did. */
  async waitFor(name: string, status: 'UP' | 'DOWN', timeoutMs = 15_000): Promise<number> {
    return waitFor(
      `HAProxy to see ${name} ${status}`,
      async () => ((await this.statuses()).get(name)?.status === status ? Date.now() : undefined),
      timeoutMs,
      50,
    );
  }

  /** Stops HAProxy and removes its folder. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** HAProxy's own log lines so far (alerts and warnings), for a failure's message. */
  log(): string {
    return this.output();
  }

  private admin(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(join(this.dir, 'admin.sock'));
      let reply = '';
      socket.setEncoding('utf8');
      socket.setTimeout(2_000, () => socket.destroy(new Error(`HAProxy did not answer "${command}"`)));
      socket.on('connect', () => socket.end(`${command}\n`));
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(reply));
    });
  }
}
