import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BENCH_DIST, REPO_ROOT } from '../lib/server-process.js';

/** The two builds a comparison measures, or anything kept for each of them. */
export interface Pair<T> {
  /** The other build (`--base=<root>`), the reference. */
  base: T;
  /** This tree's build. */
  current: T;
}

/** The order every round measures the builds in: base, then this one. */
export const PAIR_ORDER = ['base', 'current'] as const;

/** `fn` applied to both members of a pair. */
export function mapPair<T, U>(pair: Pair<T>, fn: (value: T, key: keyof Pair<T>) => U): Pair<U> {
  return { base: fn(pair.base, 'base'), current: fn(pair.current, 'current') };
}

/** A built checkout of the repository whose benchmark scripts a comparison runs. */
export interface Build {
  /** `base` or `this`, as rows and logs name it. */
  label: string;
  /** Repository root: the working directory of its processes. */
  root: string;
  /** Its compiled benchmarks (`<root>/dist-test/bench`). */
  benchDist: string;
  /** `git describe --always --dirty` of the checkout, or `unknown`. */
  revision: string;
}

/** What `git describe` says of a checkout, without writing to it (no optional index refresh). */
function revisionOf(root: string): string {
  try {
    return execFileSync('git', ['-C', root, 'describe', '--always', '--dirty'], {
      encoding: 'utf8',
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * This tree's build and the one at `baseRoot`, which must already be built
 * (`npm run build` there): nothing is built or written in it.
 */
export function resolveBuilds(baseRoot: string): Pair<Build> {
  const root = resolve(baseRoot);
  const benchDist = `${root}/dist-test/bench`;
  if (!existsSync(benchDist)) {
    throw new Error(`${root} has no compiled benchmarks (${benchDist}): run \`npm run build\` there first`);
  }
  return {
    base: { label: 'base', root, benchDist, revision: revisionOf(root) },
    current: {
      label: 'this',
      root: REPO_ROOT.replace(/\/$/, ''),
      benchDist: BENCH_DIST.replace(/\/$/, ''),
      revision: revisionOf(REPO_ROOT),
    },
  };
}

/** The absolute path of a compiled bench script (relative to `dist-test/bench`) in `build`; throws if missing. */
export function scriptOf(build: Build, relative: string): string {
  const script = `${build.benchDist}/${relative}`;
  if (!existsSync(script)) throw new Error(`the ${build.label} build (${build.root}) has no ${relative}`);
  return script;
}
