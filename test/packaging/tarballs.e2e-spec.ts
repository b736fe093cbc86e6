/**
 * Both libraries as a user gets them: `npm pack`, then installed from the tarballs into a fresh
 * Nest app in a temporary folder outside the repository, compiled with strict TypeScript
 * (NodeNext), run as a real one-worker cluster and asked over HTTP. A CommonJS consumer
 * (`moduleResolution: node10`, `require()`) is checked too.
 *
 * The other dependencies are installed at the versions the repository uses, from npm's cache
 * when it has them (`--prefer-offline`), so the run is quick and repeatable.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_SECRET } from '../support/demo-cluster.js';
import { freePort, waitFor } from '../support/processes.js';

const execute = promisify(execFile);

/** Runs a command; a failure carries its output. */
async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string }> {
  try {
    return await execute(command, [...args], options);
  } catch (error) {
    const out = (key: string): string => String(Reflect.get(Object(error), key) ?? '');
    throw new Error(`${command} ${args.join(' ')} failed:\n${out('stdout')}\n${out('stderr')}`);
  }
}
const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'nest-hive-consumer-'));
const app = join(work, 'app');

/** npm without the settings `npm test` passes down to its children. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

function versionOf(name: string): string {
  const manifest: unknown = JSON.parse(
    readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
  );
  const version: unknown =
    typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  if (typeof version !== 'string') throw new Error(`no version for ${name}`);
  return version;
}

interface Packed {
  readonly file: string;
  readonly files: readonly string[];
  readonly manifest: Record<string, unknown>;
}

async function pack(lib: 'cluster' | 'session'): Promise<Packed> {
  const dir = join(root, 'libs', lib);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: dir,
    env: npmEnv(),
  });
  const result: unknown = JSON.parse(stdout);
  const entry: unknown = Array.isArray(result) ? result[0] : undefined;
  const filename: unknown =
    typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'filename') : undefined;
  const list: unknown = typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'files') : undefined;
  if (typeof filename !== 'string' || !Array.isArray(list))
    throw new Error(`unexpected npm pack output: ${stdout}`);
  const files = list.map((file: unknown) =>
    String(typeof file === 'object' && file !== null ? Reflect.get(file, 'path') : file),
  );
  const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null) throw new Error('bad package.json');
  return { file: join(work, filename), files, manifest: Object.fromEntries(Object.entries(manifest)) };
}

/** Every file an `exports` map (any condition) or `main`/`types` names. */
function targets(manifest: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(value.replace(/^\.\//, ''));
    else if (typeof value === 'object' && value !== null)
      for (const entry of Object.values(value)) walk(entry);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.types);
  walk(manifest.typesVersions);
  walk(manifest.bin);
  return found;
}

const CONSUMER_MAIN = `import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterModule, ClusterService, bootstrapCluster } from '@nest-hive/cluster';
import { Session, SessionModule } from '@nest-hive/session';

@Controller()
class VisitsController {
  constructor(private readonly cluster: ClusterService) {}

  @Get('visits')
  visits(@Session() session: Session<{ visits?: number }>): { visits: number; workerId: number | null } {
    session.visits = (session.visits ?? 0) + 1;
    return { visits: session.visits, workerId: this.cluster.self.workerId };
  }
}

@Module({
  imports: [ClusterModule.forRoot(), SessionModule.forRoot({ secret: process.env.SESSION_SECRET ?? '' })],
  controllers: [VisitsController],
})
class AppModule {}

const handle = await bootstrapCluster({
  workers: 1,
  worker: async () => {
    const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
    await app.listen(Number(process.env.PORT), '127.0.0.1');
    return app;
  },
});
if (handle.role === 'primary') console.log('consumer ready');
`;

const CJS_CHECK = `import { defineTopic, type ClusterService } from '@nest-hive/cluster';
import { getClusterEnvironment } from '@nest-hive/cluster/environment';
import { SessionModule } from '@nest-hive/session';
import { type RedisSessionStoreOptions } from '@nest-hive/session/redis';
import { type ClusterSessionStoreOptions } from '@nest-hive/session/cluster';

export const topic = defineTopic<{ id: string }, number>('cjs:check');
export type Used = [ClusterService, RedisSessionStoreOptions, ClusterSessionStoreOptions, typeof SessionModule];
export const environment = getClusterEnvironment;
`;

/**
 * A type-only import of every subpath the packed manifests export, so a subpath whose types a
 * node10 consumer cannot resolve (no `typesVersions` entry) fails the CommonJS check.
 */
function everySubpathImport(packages: readonly Packed[]): string {
  const lines: string[] = [];
  for (const { manifest } of packages) {
    const exports: unknown = manifest.exports;
    if (typeof exports !== 'object' || exports === null) throw new Error('a manifest without exports');
    const exported = Object.keys(exports).filter((key) => key !== './package.json');
    for (const key of exported) {
      const specifier = `${String(manifest.name)}${key.slice(1)}`;
      lines.push(`import type * as subpath${lines.length} from '${specifier}';`);
    }
  }
  const names = lines.map((_line, index) => `typeof subpath${index}`).join(', ');
  return `${lines.join('\n')}\nexport type EverySubpath = [${names}];\n`;
}

describe('the packed libraries, installed into a fresh Nest app', () => {
  let cluster: Packed;
  let session: Packed;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    [cluster, session] = await Promise.all([pack('cluster'), pack('session')]);
    mkdirSync(join(app, 'src'), { recursive: true });
    const dependency = (name: string): [string, string] => [name, versionOf(name)];
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'nest-hive-consumer',
        private: true,
        type: 'module',
        dependencies: {
          '@nest-hive/cluster': `file:${cluster.file}`,
          '@nest-hive/session': `file:${session.file}`,
          ...Object.fromEntries(
            ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'].map(
              dependency,
            ),
          ),
        },
      }),
    );
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      {
        cwd: app,
        env: npmEnv(),
      },
    );
  }, 180_000);

  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('ships every file its package.json points at, and no tests', () => {
    for (const packed of [cluster, session]) {
      const missing = targets(packed.manifest).filter((target) => !packed.files.includes(target));
      expect({ name: packed.manifest.name, missing }).toEqual({ name: packed.manifest.name, missing: [] });
      expect(packed.files.filter((file) => /\.spec\.|\.test-d\.|tsbuildinfo/.test(file))).toEqual([]);
      expect(packed.files).toContain('README.md');
    }
  });

  it('installs the nest-hive command line as a bin', async () => {
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'nest-hive'), ['--help'], { cwd: app });
    expect(stdout).toContain('Usage: nest-hive <command> [--pid <pid>]');
  });

  it('has READMEs that stand alone on npm (no links into the repository)', () => {
    for (const lib of ['cluster', 'session']) {
      const readme = readFileSync(join(root, 'libs', lib, 'README.md'), 'utf8');
      expect(readme).toMatch(/## Install/);
      expect(readme).toMatch(/```ts/);
      expect(readme).not.toMatch(/\]\(\.\.?\//);
    }
  });

  it('compiles with strict TypeScript (NodeNext), runs as a cluster and answers a real request, with a session', async () => {
    writeFileSync(join(app, 'src', 'main.ts'), CONSUMER_MAIN);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        include: ['src'],
      }),
    );
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app });

    const port = await freePort();
    const started = spawn(process.execPath, [join(app, 'dist/main.js')], {
      cwd: app,
      env: { ...npmEnv(), PORT: String(port), SESSION_SECRET: DEMO_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'the consumer to be ready',
      () => (output.includes('consumer ready') ? true : undefined),
      30_000,
      50,
    );

    const first = await fetch(`http://127.0.0.1:${port}/visits`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ visits: 1, workerId: expect.any(Number) });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // The default store under bootstrapCluster is held by the primary, loaded from the installed package.
    const second = await fetch(`http://127.0.0.1:${port}/visits`, { headers: { cookie } });
    expect(await second.json()).toEqual({ visits: 2, workerId: expect.any(Number) });

    const exited = new Promise<number | null>((done) => started.once('exit', (code) => done(code)));
    started.kill('SIGTERM');
    expect({ code: await exited, output }).toEqual({ code: 0, output });
  }, 60_000);

  it('serves a CommonJS consumer too: node10 type resolution of every subpath, and require()', async () => {
    mkdirSync(join(app, 'cjs'), { recursive: true });
    writeFileSync(join(app, 'cjs', 'check.ts'), CJS_CHECK);
    const subpaths = everySubpathImport([cluster, session]);
    // Both libraries have several subpaths; an empty list would check nothing.
    expect(subpaths.match(/^import type/gm)?.length).toBeGreaterThan(10);
    writeFileSync(join(app, 'cjs', 'subpaths.ts'), subpaths);
    writeFileSync(
      join(app, 'cjs', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'CommonJS',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['check.ts', 'subpaths.ts'],
      }),
    );
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'cjs')], {
      cwd: app,
    });
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        "const c = require('@nest-hive/cluster'); const s = require('@nest-hive/session'); console.log(typeof c.bootstrapCluster, typeof s.SessionModule)",
      ],
      { cwd: app },
    );
    expect(stdout.trim()).toBe('function function');
  }, 60_000);
});
