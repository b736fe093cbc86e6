#!/usr/bin/env node
/**
 * `npm run mutate`: applies each deliberate bug of test/mutation/mutations.json, one at a time, to a
 * copy of the working tree (never to the tree itself), rebuilds the copy, runs the specs that should
 * catch the bug, and prints a table: caught (a spec failed) or MISSED (every spec passed).
 *
 *   npm run mutate                            every mutation, after a baseline run of their specs
 *   npm run mutate -- --only=id,id            some of them
 *   npm run mutate -- --tests-from=<git ref>  the tests (test/ and the unit specs) of another commit,
 *                                             to compare the suite before and after a change
 *   npm run mutate -- --no-baseline           skip the unmutated run (faster, less trustworthy)
 *
 * Not part of `npm test`: it takes minutes. Its last table is written to test/artifacts/mutation.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import console from 'node:console';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIST = join(ROOT, 'test', 'mutation', 'mutations.json');
const ARTIFACT = join(ROOT, 'test', 'artifacts', 'mutation.json');

const args = process.argv.slice(2);
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = option('only')?.split(',');
const testsFrom = option('tests-from');
const baseline = !args.includes('--no-baseline');

const { mutations: all } = JSON.parse(readFileSync(LIST, 'utf8'));
const mutations = only ? all.filter((m) => only.includes(m.id)) : all;
if (only && mutations.length !== only.length) {
  throw new Error(
    `unknown mutation id in --only=${only.join(',')}; known: ${all.map((m) => m.id).join(', ')}`,
  );
}

/** Copies the tracked and new (not ignored) files, the builds, and links node_modules. */
function makeCopy() {
  const copy = mkdtempSync(join(tmpdir(), 'nest-hive-mutate-'));
  try {
    fillCopy(copy);
  } catch (error) {
    rmSync(copy, { recursive: true, force: true });
    throw error;
  }
  return copy;
}

function fillCopy(copy) {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter((file) => file && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file), { preserveTimestamps: true });
  }
  // The compiled output, so that a rebuild only compiles what a mutation touched.
  for (const build of ['libs/session/dist', 'libs/cluster/dist', 'apps/demo/dist', 'dist-test']) {
    if (existsSync(join(ROOT, build)))
      cpSync(join(ROOT, build), join(copy, build), { recursive: true, preserveTimestamps: true });
  }
  if (testsFrom) {
    // The other commit's tests: test/ and every unit spec beside the code.
    rmSync(join(copy, 'test'), { recursive: true, force: true });
    rmSync(join(copy, 'dist-test', 'fixtures'), { recursive: true, force: true });
    const tar = execFileSync('git', ['archive', testsFrom, 'test', 'libs', 'apps'], {
      cwd: ROOT,
      maxBuffer: 1024 * 1024 * 1024,
    });
    const staging = mkdtempSync(join(tmpdir(), 'nest-hive-mutate-tests-'));
    execFileSync('tar', ['-x', '-C', staging], { input: tar });
    cpSync(join(staging, 'test'), join(copy, 'test'), { recursive: true });
    for (const spec of execFileSync('git', ['ls-tree', '-r', '--name-only', testsFrom, 'libs', 'apps'], {
      cwd: ROOT,
    })
      .toString()
      .split('\n')
      .filter((file) => /\.spec\.ts$/.test(file))) {
      cpSync(join(staging, spec), join(copy, spec));
    }
    rmSync(staging, { recursive: true, force: true });
  }
  // node_modules: the tree's packages, except the workspace links, which must point into the copy.
  mkdirSync(join(copy, 'node_modules', '@nest-hive'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '@nest-hive') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(copy, 'node_modules', entry));
  }
  for (const [name, target] of [
    ['session', 'libs/session'],
    ['cluster', 'libs/cluster'],
    ['demo', 'apps/demo'],
  ]) {
    symlinkSync(join(copy, target), join(copy, 'node_modules', '@nest-hive', name));
  }
  for (const workspace of ['libs/session', 'libs/cluster', 'apps/demo']) {
    const modules = join(ROOT, workspace, 'node_modules');
    if (existsSync(modules)) symlinkSync(modules, join(copy, workspace, 'node_modules'));
  }
}

function run(copy, command, commandArgs) {
  const env = { ...process.env, CI: 'true' };
  delete env.NEST_HIVE_ALLOW_SKIP;
  return spawnSync(command, commandArgs, { cwd: copy, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

function build(copy) {
  const result = run(copy, process.execPath, [
    join(copy, 'node_modules/typescript/bin/tsc'),
    '-b',
    'tsconfig.build.json',
  ]);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function jest(copy, specs) {
  const present = specs.filter((spec) => existsSync(join(copy, spec)));
  if (present.length === 0) return { status: 'no spec', failed: [], present };
  const result = run(copy, process.execPath, [
    '--experimental-vm-modules',
    join(copy, 'node_modules/jest/bin/jest.js'),
    '--runInBand',
    '--ci',
    ...present,
  ]);
  const output = `${result.stdout}${result.stderr}`;
  const failed = [...output.matchAll(/^ {2}● (.+)$/gm)]
    .map((match) => match[1].trim())
    .filter((title) => !title.startsWith('Console'));
  return { status: result.status === 0 ? 'passed' : 'failed', failed, present, output };
}

function apply(copy, mutation) {
  const originals = new Map();
  for (const edit of mutation.edits) {
    const path = join(copy, edit.file);
    const source = originals.get(path) ?? readFileSync(path, 'utf8');
    if (!originals.has(path)) originals.set(path, source);
    const current = readFileSync(path, 'utf8');
    const count = current.split(edit.anchor).length - 1;
    if (count !== 1) throw new Error(`${mutation.id}: the anchor occurs ${count} times in ${edit.file}`);
    writeFileSync(
      path,
      current.replace(edit.anchor, () => edit.replacement),
    );
  }
  return () => {
    for (const [path, source] of originals) writeFileSync(path, source);
  };
}

const copy = makeCopy();
const rows = [];
const started = Date.now();
try {
  console.log(`mutation run in ${copy}${testsFrom ? ` with the tests of ${testsFrom}` : ''}`);
  const initial = build(copy);
  if (!initial.ok) throw new Error(`the unmutated copy does not build:\n${initial.output}`);
  if (baseline) {
    const specs = [...new Set(mutations.flatMap((m) => m.specs))];
    const result = jest(copy, specs);
    if (result.status === 'failed') {
      throw new Error(`the specs fail without any mutation (${result.failed.join('; ')}):\n${result.output}`);
    }
    console.log(`baseline: ${result.present.length} spec files pass unmutated`);
  }
  for (const mutation of mutations) {
    const t0 = Date.now();
    const restore = apply(copy, mutation);
    let row;
    try {
      const built = build(copy);
      if (!built.ok) row = { id: mutation.id, result: 'BUILD FAILED', detail: built.output.slice(0, 500) };
      else {
        const result = jest(copy, mutation.specs);
        row = {
          id: mutation.id,
          result: result.status === 'failed' ? 'caught' : result.status === 'passed' ? 'MISSED' : 'no spec',
          detail: result.failed.slice(0, 3).join(' | '),
          specs: result.present.length,
        };
      }
    } finally {
      restore();
    }
    row.seconds = Math.round((Date.now() - t0) / 1000);
    row.bug = mutation.bug;
    rows.push(row);
    console.log(
      `${row.result.padEnd(8)} ${mutation.id} (${row.seconds} s)${row.detail ? `: ${row.detail}` : ''}`,
    );
  }
  build(copy);
} finally {
  rmSync(copy, { recursive: true, force: true });
}

const caught = rows.filter((row) => row.result === 'caught').length;
console.log('\n| mutation | bug | result | caught by |');
console.log('| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.id} | ${row.bug} | ${row.result} | ${row.detail || '–'} |`);
console.log(
  `\nmutation score: ${caught} of ${rows.length} caught in ${Math.round((Date.now() - started) / 1000)} s`,
);
mkdirSync(dirname(ARTIFACT), { recursive: true });
writeFileSync(
  ARTIFACT,
  `${JSON.stringify({ at: new Date().toISOString(), testsFrom: testsFrom ?? 'working tree', caught, total: rows.length, rows }, null, 2)}\n`,
);
process.exitCode = caught === rows.length ? 0 : 1;
