import { freshRequest } from './fresh-http.js';

/** A client logged in to the demo through Passport: its user, its `User-Agent`, its cookie. */
export interface DemoDevice {
  readonly user: string;
  readonly agent: string;
  readonly cookie: string;
}

/** The demo's Passport routes and its visit counter, as one logged-in device uses them. */
export interface DemoDeviceRoutes {
  /** `POST /api/auth/login` as `user` with that `User-Agent`. */
  login(user: string, agent: string): Promise<DemoDevice>;
  /** `GET /api/visits`: the count it answers (the visit adds one to the session). */
  visit(device: DemoDevice): Promise<number>;
  /** `GET /api/auth/me`: its status (200 logged in, 401 not). */
  me(device: DemoDevice): Promise<number>;
  /** `GET /api/auth/sessions`: the user's sessions, as `handle userAgent createdAt` lines. */
  list(device: DemoDevice): Promise<string[]>;
}

interface ListedSession {
  handle: string;
  userAgent: string;
  createdAt: number;
}

function isListed(value: unknown): value is ListedSession {
  const row = value as Partial<ListedSession> | null;
  return (
    typeof row === 'object' &&
    row !== null &&
    typeof row.handle === 'string' &&
    typeof row.userAgent === 'string' &&
    typeof row.createdAt === 'number'
  );
}

/**
 * The routes of {@link DemoDeviceRoutes} on the demo at `url()` (read at each call, so they follow
 * a demo restarted on another port). Each request opens its own connection, so the round robin
 * spreads them over the workers.
 */
export function demoDevices(url: () => string): DemoDeviceRoutes {
  return {
    login: async (user, agent) => {
      const reply = await freshRequest(`${url()}/api/auth/login`, {
        body: { username: user, password: 'hive-demo' },
        headers: { 'user-agent': agent },
      });
      if (reply.status !== 200 || !reply.sessionCookie) throw new Error(`login of ${user}: ${reply.status}`);
      return { user, agent, cookie: reply.sessionCookie };
    },
    visit: async (device) => {
      const reply = await freshRequest(`${url()}/api/visits`, { cookie: device.cookie });
      const visits = (reply.json as { visits?: unknown } | undefined)?.visits;
      if (reply.status !== 200 || typeof visits !== 'number')
        throw new Error(`visit: ${reply.status} ${reply.body}`);
      return visits;
    },
    me: async (device) => (await freshRequest(`${url()}/api/auth/me`, { cookie: device.cookie })).status,
    list: async (device) => {
      const reply = await freshRequest(`${url()}/api/auth/sessions`, {
        cookie: device.cookie,
        headers: { 'user-agent': device.agent },
      });
      const sessions = (reply.json as { sessions?: unknown } | undefined)?.sessions;
      if (reply.status !== 200 || !Array.isArray(sessions) || !sessions.every(isListed)) {
        throw new Error(`sessions of ${device.user}: ${reply.status} ${reply.body}`);
      }
      return sessions.map((s) => `${s.handle} ${s.userAgent} ${s.createdAt}`);
    },
  };
}
