import type { BenchContext } from './bench-context.js';

/** The value of `--<name>=value` among `args`, or `undefined`. */
export function argValue(args: readonly string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** What the shared benchmark options ask for. */
export interface BenchArgs {
  context: BenchContext;
  /** `--only=1,2f`: the case ids to run; `undefined` runs all. */
  only: string[] | undefined;
}

/**
 * Reads the options every benchmark runner takes: `--quick` (1 s per run, one
 * round unless `--rounds` says otherwise), `--only=1,2f` and `--rounds=N`
 * (measured runs per variant, default `defaultRounds`). Progress goes to stderr, so stdout holds only the table.
 */
export function parseBenchArgs(args: readonly string[], defaultRounds = 3): BenchArgs {
  const quick = args.includes('--quick');
  const rounds = Number(argValue(args, 'rounds') ?? (quick ? 1 : defaultRounds));
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error('--rounds takes a whole number of runs, 1 or more');
  return {
    context: {
      quick,
      durationSeconds: quick ? 1 : 5,
      warmupSeconds: quick ? 0.3 : 1.5,
      rounds,
      log: (message) => console.error(message),
    },
    only: argValue(args, 'only')?.split(','),
  };
}
