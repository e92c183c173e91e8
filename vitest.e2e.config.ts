import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests of the web app: the real server (`xaiqc serve`) and Debian's Chromium.
 * Run by `npm run test:e2e` (which builds the app and installs Chromium when missing) as part
 * of `npm test`. One file at a time: each starts its own server and browser.
 */
export default defineConfig({
  test: {
    include: ['packages/web/e2e/**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    reporters: ['default'],
  },
});
