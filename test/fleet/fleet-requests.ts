/**
 * Requests through the fleet's balancer, knowing which host served each one (HAProxy names it in
 * `x-fleet-host`), and steering one to a chosen host: HAProxy's round robin alternates between the
 * two hosts, so after a request served by one host the next goes to the other.
 */
import { expect } from '@jest/globals';
import {
  freshRequest,
  requestOnWorker,
  type FreshReply,
  type FreshRequestOptions,
} from '../support/fresh-http.js';
import { waitFor } from '../support/processes.js';
import { FLEET_HOST_HEADER } from './fleet-balancer.js';
import type { Fleet, HostName } from './fleet.js';

/** The host that served a reply through the balancer. */
export function hostOf(reply: FreshReply): string {
  const host = reply.headers[FLEET_HOST_HEADER];
  if (typeof host !== 'string')
    throw new Error(`no ${FLEET_HOST_HEADER} header in the reply (${reply.status})`);
  return host;
}

/** The other demo host. */
export function otherHost(host: string): HostName {
  return host === 'h1' ? 'h2' : 'h1';
}

/** Sends a request through the balancer so that host `host` serves it (checked), after at most a few pings. */
export async function onHost(
  fleet: Fleet,
  host: HostName,
  path: string,
  options: FreshRequestOptions = {},
): Promise<FreshReply> {
  for (let ping = 0; ping < 4; ping++) {
    const reply = await freshRequest(`${fleet.url}/api/ping`);
    if (hostOf(reply) !== host) break;
  }
  const reply = await freshRequest(`${fleet.url}${path}`, options);
  expect({ path, servedBy: hostOf(reply) }).toEqual({ path, servedBy: host });
  return reply;
}

/** Sends the same request through the balancer until each host has answered it; returns the replies. */
export async function onEveryHost(
  fleet: Fleet,
  path: string,
  options: FreshRequestOptions = {},
): Promise<FreshReply[]> {
  const replies: FreshReply[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    replies.push(await freshRequest(`${fleet.url}${path}`, options));
    if (new Set(replies.map(hostOf)).size === 2) return replies;
  }
  throw new Error(`${path} was never served by both hosts: ${replies.map(hostOf).join(', ')}`);
}

/** Waits (bounded) until every worker of every host holds message `id` in its inbox; returns how long it took. */
export async function waitInEveryInbox(fleet: Fleet, id: unknown, timeoutMs = 5_000): Promise<number> {
  const from = Date.now();
  await waitFor(
    `broadcast ${String(id)} in every worker's inbox on both hosts`,
    async () => {
      for (const host of fleet.hosts) {
        for (const pid of await host.workerPids()) {
          const inbox = await requestOnWorker(`${host.url}/api/cluster/inbox`, { pid }, { timeoutMs: 2_000 });
          const messages = (inbox.json as { messages?: Array<{ id?: unknown }> } | undefined)?.messages ?? [];
          if (!messages.some((message) => message.id === id)) return undefined;
        }
      }
      return true;
    },
    timeoutMs,
    50,
  );
  return Date.now() - from;
}

/** Which host runs worker `pid`. */
export async function hostOfPid(fleet: Fleet, pid: number): Promise<HostName> {
  for (const host of fleet.hosts) if ((await host.workerPids()).includes(pid)) return host.name as HostName;
  throw new Error(`no host runs worker ${pid}`);
}
