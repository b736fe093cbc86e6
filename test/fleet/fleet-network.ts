/**
 * The fleet's network: test hosts as network namespaces on one bridge, made by the harness and
 * removed by it, even after a failed test. Each host has one address, on its veth, no default route
 * and so no way out of the subnet; the bridge's address (`.1`) is this machine's side, where the
 * load balancer and the test runner are. Nothing else of the machine's network is touched.
 *
 * Needs root, `ip` (iproute2) and `nft` (nftables).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandWrapper } from '../support/processes.js';

/** Where subnets are claimed: one folder per subnet in use, holding its owner's pid. */
const CLAIMS = '/run/nest-hive-fleet';
/** Subnets `10.77.<n>.0/24`, one per fleet running on the machine. */
const SUBNETS = 250;
/** The nftables table a cut-off adds inside a host. */
const CUT_TABLE = 'nest_hive_fleet_cut';

/** One test host. */
export interface FleetHostAddress {
  readonly name: string;
  /** Its network namespace. */
  readonly namespace: string;
  /** Its only address. */
  readonly address: string;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function quietly(action: () => unknown): void {
  try {
    action();
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pids of every process in a namespace. */
function pidsIn(namespace: string): number[] {
  let listed = '';
  quietly(() => (listed = ip('netns', 'pids', namespace)));
  return listed
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** SIGKILLs every process of a namespace and waits (bounded) until none is left; returns their pids. */
async function killNamespace(namespace: string): Promise<number[]> {
  const killed = pidsIn(namespace);
  for (let round = 0; round < 100; round++) {
    const left = pidsIn(namespace);
    if (left.length === 0) return killed;
    for (const pid of left) quietly(() => process.kill(pid, 'SIGKILL'));
    await sleep(20);
  }
  throw new Error(`processes ${pidsIn(namespace).join(', ')} of ${namespace} outlived SIGKILL`);
}

/** The start of this subnet's namespace and link names: `nhf<n>_` (`nhf<n>_h1`, `nhf<n>_br`). */
function prefixOf(subnet: number): string {
  return `nhf${subnet}_`;
}

/** Removes what a fleet of `subnet` left behind (its owner is dead, or it is disposing). */
async function sweep(subnet: number): Promise<void> {
  const prefix = prefixOf(subnet);
  const namespaces = ip('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name.startsWith(prefix));
  for (const namespace of namespaces) {
    await killNamespace(namespace);
    quietly(() => ip('netns', 'delete', namespace));
  }
  const links = ip('-o', 'link', 'show')
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0])
    .filter((name): name is string => name !== undefined && name.startsWith(prefix));
  for (const link of links) quietly(() => ip('link', 'delete', link));
}

/** Claims a free subnet (reclaiming one whose owner died); returns its number. */
async function claimSubnet(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true, mode: 0o700 });
  for (let subnet = 1; subnet <= SUBNETS; subnet++) {
    const claim = `${CLAIMS}/${subnet}`;
    try {
      mkdirSync(claim);
    } catch {
      let owner = 0;
      quietly(() => (owner = Number(readFileSync(`${claim}/owner`, 'utf8'))));
      // A claim without an owner yet is being made right now, by a live process.
      if (owner === 0 || alive(owner)) continue;
      await sweep(subnet);
      rmSync(claim, { recursive: true, force: true });
      subnet -= 1;
      continue;
    }
    writeFileSync(`${claim}/owner`, String(process.pid));
    return subnet;
  }
  throw new Error(`All ${SUBNETS} fleet subnets of ${CLAIMS} are claimed by live processes`);
}

/** Test hosts as network namespaces on one bridge. */
export class FleetNetwork {
  private readonly hosts = new Map<string, FleetHostAddress>();

  private constructor(private readonly subnet: number) {}

  /** Makes the bridge and one namespace per name (`lb`, `redis`, `h1`…), each with one address. */
  static async create(names: readonly string[]): Promise<FleetNetwork> {
    const network = new FleetNetwork(await claimSubnet());
    try {
      network.build(names);
      return network;
    } catch (error) {
      await network.dispose();
      throw error;
    }
  }

  /** This machine's address on the bridge, where the tests come from. */
  get gateway(): string {
    return `10.77.${this.subnet}.1`;
  }

  /** The host named `name`. */
  host(name: string): FleetHostAddress {
    const host = this.hosts.get(name);
    if (host === undefined) throw new Error(`The fleet has no host ${name}`);
    return host;
  }

  /** Runs a command line on host `name`: `ip netns exec <namespace> …`. */
  wrapper(name: string): CommandWrapper {
    const { namespace } = this.host(name);
    return (argv) => ['ip', 'netns', 'exec', namespace, ...argv];
  }

  /** Host `name`'s IPv4 routes, as `ip route` prints them. */
  routes(name: string): string[] {
    return ip('-n', this.host(name).namespace, '-4', 'route', 'show')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }

  /** Every process running on host `name`. */
  pids(name: string): number[] {
    return pidsIn(this.host(name).namespace);
  }

  /** Kills every process of host `name` (`kill -9`), as a machine that dies; returns their pids. */
  killAll(name: string): Promise<number[]> {
    return killNamespace(this.host(name).namespace);
  }

  /** Takes host `name`'s link down (`ip link set … down` on the bridge's side), as a pulled cable: nothing reaches it, or leaves it. */
  unplug(name: string): void {
    ip('link', 'set', this.linkOf(name), 'down');
  }

  /** Puts host `name`'s link back up. */
  plug(name: string): void {
    ip('link', 'set', this.linkOf(name), 'up');
  }

  /** A firewall rule on host `name` drops every packet it sends to `address` (no reply, no reset). */
  cutOff(name: string, address: string): void {
    const rules = [
      `add table inet ${CUT_TABLE}`,
      `add chain inet ${CUT_TABLE} out { type filter hook output priority 0 ; policy accept ; }`,
      `add rule inet ${CUT_TABLE} out ip daddr ${address} drop`,
    ].join('\n');
    execFileSync('ip', ['netns', 'exec', this.host(name).namespace, 'nft', '-f', '-'], { input: rules });
  }

  /** Removes host `name`'s cut-off rules. */
  reconnect(name: string): void {
    execFileSync('ip', [
      'netns',
      'exec',
      this.host(name).namespace,
      'nft',
      'delete',
      'table',
      'inet',
      CUT_TABLE,
    ]);
  }

  /** Kills every process of every host and removes the namespaces, the links and the claim. */
  async dispose(): Promise<void> {
    await sweep(this.subnet);
    rmSync(`${CLAIMS}/${this.subnet}`, { recursive: true, force: true });
  }

  private linkOf(name: string): string {
    return `${prefixOf(this.subnet)}${this.host(name).name}`;
  }

  private build(names: readonly string[]): void {
    const prefix = prefixOf(this.subnet);
    const bridge = `${prefix}br`;
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.gateway}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    names.forEach((name, index) => {
      const namespace = `${prefix}${name}`;
      const outside = `${prefix}${name}`;
      const inside = `${outside}p`;
      const address = `10.77.${this.subnet}.${10 + index}`;
      if (inside.length > 15) throw new Error(`Host name ${name} is too long for an interface name`);
      ip('netns', 'add', namespace);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', namespace);
      ip('link', 'set', outside, 'master', bridge, 'up');
      ip('-n', namespace, 'link', 'set', inside, 'name', 'eth0');
      ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', namespace, 'link', 'set', 'eth0', 'up');
      ip('-n', namespace, 'link', 'set', 'lo', 'up');
      this.hosts.set(name, { name, namespace, address });
    });
  }
}
