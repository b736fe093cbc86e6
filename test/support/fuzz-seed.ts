import { randomInt } from 'node:crypto';

/** The environment variable that replays a fuzz run. */
export const FUZZ_SEED_VARIABLE = 'FUZZ_SEED';

/**
 * The seed of one property-based run: `FUZZ_SEED` when set (to replay a run),
 * otherwise a fresh random one, so every run explores new cases. The seed is
 * printed either way, with the command that replays it.
 *
 * @throws Error when `FUZZ_SEED` is not an integer (a typo must not quietly run a different seed).
 */
export function fuzzSeed(label: string, env: NodeJS.ProcessEnv = process.env): number {
  const given = env[FUZZ_SEED_VARIABLE];
  let seed: number;
  if (given === undefined || given === '') seed = randomInt(0, 2 ** 31 - 1);
  else {
    seed = Number(given);
    if (!Number.isSafeInteger(seed)) {
      throw new Error(
        `${FUZZ_SEED_VARIABLE}=${given} is not an integer; give the seed a failing run printed.`,
      );
    }
  }
  console.info(`${label}: fuzz seed ${seed} (replay with ${FUZZ_SEED_VARIABLE}=${seed})`);
  return seed;
}
