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
    // the browser waits on a real server that computes explanations; a busy CI machine can
    // take more than vitest's default second for a poll to come true
    expect: { poll: { timeout: 15_000, interval: 100 } },
    reporters: ['default'],
  },
});
