/**
 * Jest runs in native ESM mode (Nest 12 is ESM-only): start it through
 * `npm run test:jest`, which passes `--experimental-vm-modules`.
 * Unit specs sit beside the code; end-to-end specs live in `test/`.
 * Package imports resolve to the libraries' sources, so no build is needed
 * for in-process tests; forked fixtures run the compiled output instead.
 */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    '^@nest-hive/session$': '<rootDir>/libs/session/src/index.ts',
    '^@nest-hive/session/(.*)$': '<rootDir>/libs/session/src/$1/index.ts',
    '^@nest-hive/cluster$': '<rootDir>/libs/cluster/src/index.ts',
    '^@nest-hive/cluster/(.*)$': '<rootDir>/libs/cluster/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/dist-test/'],
  testTimeout: 30_000,
};
