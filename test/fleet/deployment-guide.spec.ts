/**
 * The deployment guide shows the HAProxy configuration the fleet rehearsal runs, not a copy that
 * drifted: its `haproxy` block must be what `haproxyConfig()` makes for the guide's addresses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../support/processes.js';
import { haproxyConfig } from './fleet-balancer.js';

const GUIDE = 'docs/operations/deployment.md';

describe(`${GUIDE}`, () => {
  it('shows the HAProxy configuration the fleet rehearsal runs', () => {
    const guide = readFileSync(join(ROOT, GUIDE), 'utf8');
    const blocks = [...guide.matchAll(/```haproxy\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(blocks).toHaveLength(1);
    const rehearsed = haproxyConfig({
      bind: '*:80',
      statsSocket: '/run/haproxy/admin.sock',
      servers: [
        { name: 'h1', address: '10.0.0.11', port: 3000 },
        { name: 'h2', address: '10.0.0.12', port: 3000 },
      ],
    });
    expect(blocks[0]).toBe(rehearsed);
  });
});
