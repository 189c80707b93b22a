import { defineConfig } from 'vitest/config';

// End-to-end specs: Playwright (playwright-core + Debian's Chromium) against the browser
// host. Run through scripts/e2e.mjs, which builds the renderer first. One worker: each spec
// drives a real browser and a real core, and the machine has 2 shared cores.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    env: { KYSO_FROM_SOURCE: '1' },
  },
});
