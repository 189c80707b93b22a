#!/usr/bin/env node
// Launcher for the `kyso` command. Runs the bundled CLI from dist/cli/ (built by `npm run
// build`, which `npm install` runs through `prepare`); with KYSO_FROM_SOURCE=1, or when the
// bundle is missing, runs the TypeScript sources through tsx (tests use this so they never
// see a stale build; test/integration/cli-bundle.test.ts checks the bundle itself).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (process.env.KYSO_FROM_SOURCE !== '1' && existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../main/cli/main.ts', import.meta.url).href);
}
