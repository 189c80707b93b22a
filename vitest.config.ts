import { defineConfig } from 'vitest/config';

// Unit and integration tests in plain Node. Integration tests use real parts (SoftHSM2,
// OpenSSL, the inbox server on loopback) created per run by test/bed.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'main/**/*.test.ts', 'native/**/*.test.ts', 'server/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { KYSO_FROM_SOURCE: '1' },
  },
});
