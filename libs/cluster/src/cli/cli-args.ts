/** What the command line asked for. */
export type CliCommand =
  | { readonly command: 'status'; readonly json: boolean; readonly pid: number | undefined }
  | { readonly command: 'reload'; readonly pid: number | undefined }
  | { readonly command: 'scale'; readonly workers: number; readonly pid: number | undefined }
  | { readonly command: 'help' };

/** The usage text. */
export const USAGE = `Usage: nest-hive <command> [--pid <pid>]

Commands:
  status [--json]   the workers of a running nest-hive cluster: state, pid, memory, uptime, restarts
  reload            a rolling restart: each worker replaced once its replacement is ready
  scale <n>         run n workers (1 to 1024): new ones start, surplus ones drain and stop

Options:
  --pid <pid>       the primary to talk to, when several run
  --help            this text

The primary's control socket is in NEST_HIVE_CONTROL_DIR, or <tmpdir>/nest-hive-<uid>.`;

/** A command line that makes no sense: the message says why, and the usage follows. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function wholeNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^[1-9]\d*$/.test(text)) {
    throw new CliUsageError(
      `${what} must be a whole number of 1 or more, got ${text === undefined ? 'nothing' : `"${text}"`}.`,
    );
  }
  return Number(text);
}

/**
 * Reads `argv` (without node and the script).
 *
 * @throws CliUsageError naming what is wrong.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const rest: string[] = [];
  let pid: number | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (arg === '--json') json = true;
    else if (arg === '--pid') pid = wholeNumber(argv[++i], '--pid');
    else if (arg.startsWith('--pid=')) pid = wholeNumber(arg.slice('--pid='.length), '--pid');
    else if (arg.startsWith('-')) throw new CliUsageError(`Unknown option ${arg}.`);
    else rest.push(arg);
  }
  const [command, ...operands] = rest;
  const none = (): void => {
    if (operands.length > 0)
      throw new CliUsageError(`${command ?? ''} takes no argument, got "${operands.join(' ')}".`);
  };
  switch (command) {
    case 'status':
      none();
      return { command: 'status', json, pid };
    case 'reload':
      none();
      return { command: 'reload', pid };
    case 'scale': {
      if (operands.length !== 1)
        throw new CliUsageError('scale takes the number of workers, e.g. "nest-hive scale 4".');
      const workers = wholeNumber(operands[0], 'The number of workers');
      if (workers > 1024)
        throw new CliUsageError(`The number of workers must be at most 1024, got ${workers}.`);
      return { command: 'scale', workers, pid };
    }
    case undefined:
      return { command: 'help' };
    default:
      throw new CliUsageError(`Unknown command "${command}".`);
  }
}
