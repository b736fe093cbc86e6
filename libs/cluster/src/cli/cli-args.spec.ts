import { describe, expect, it } from '@jest/globals';
import { CliUsageError, parseCliArgs } from './cli-args.js';
import { formatStatus } from './status-table.js';

describe('parseCliArgs', () => {
  it('reads each command with its options', () => {
    expect(parseCliArgs(['status'])).toEqual({ command: 'status', json: false, pid: undefined });
    expect(parseCliArgs(['status', '--json', '--pid', '42'])).toEqual({
      command: 'status',
      json: true,
      pid: 42,
    });
    expect(parseCliArgs(['--pid=7', 'reload'])).toEqual({ command: 'reload', pid: 7 });
    expect(parseCliArgs(['scale', '4'])).toEqual({ command: 'scale', workers: 4, pid: undefined });
    expect(parseCliArgs([])).toEqual({ command: 'help' });
    expect(parseCliArgs(['scale', '4', '--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [['scale'], /scale takes the number of workers/],
    [['scale', '0'], /whole number of 1 or more, got "0"/],
    [['scale', '1025'], /at most 1024, got 1025/],
    [['scale', '2', '3'], /scale takes the number of workers/],
    [['reload', 'now'], /reload takes no argument, got "now"/],
    [['status', '--pid', '-3'], /--pid must be a whole number/],
    [['status', '--verbose'], /Unknown option --verbose/],
    [['restart'], /Unknown command "restart"/],
  ])('refuses %j, saying why', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('formatStatus', () => {
  it('shows the primary and one aligned row per worker, pm2 ls-style', () => {
    const now = 10_000_000;
    const text = formatStatus(
      {
        primary: { pid: 100, startedAt: now - 3_725_000, node: 'v20.19.0' },
        desired: 2,
        restarts: 1,
        workers: [
          {
            id: 3,
            slot: 0,
            pid: 103,
            state: 'ready',
            rssBytes: 85 * 1024 * 1024,
            startedAt: now - 65_000,
            restarts: 1,
          },
          {
            id: 2,
            slot: 1,
            pid: 1002,
            state: 'starting',
            rssBytes: null,
            startedAt: now - 2_000,
            restarts: 0,
          },
        ],
      },
      now,
    );
    expect(text.split('\n')).toEqual([
      'primary 100 · node v20.19.0 · up 1h 2m · 2 workers (desired 2) · 1 restart',
      '',
      'slot  worker  pid   state     memory    uptime  restarts',
      '0     3       103   ready     85.0 MiB  1m 5s   1',
      '1     2       1002  starting  -         2s      0',
    ]);
  });
});
