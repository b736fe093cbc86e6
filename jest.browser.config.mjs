/**
 * The browser suite (`npm run test:browser`): the compiled demo on a real cluster, driven in
 * Debian's Chromium through playwright-core. Same transform as the main suite; only
 * `test/browser/**\/*.browser-spec.ts`, which the main suite's patterns never match.
 */
import base from './jest.config.mjs';

export default {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  testTimeout: 30_000,
};
