#!/usr/bin/env node
// Launcher for the `kyso` command. Runs the compiled CLI from dist/ (built by `npm run build`,
// which `npm install` runs through `prepare`); with KYSO_FROM_SOURCE=1, or when dist/ is
// missing, runs the TypeScript sources through tsx (tests use this so they never see a stale build).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main/cli/main.js', import.meta.url);
if (process.env.KYSO_FROM_SOURCE !== '1' && existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../main/cli/main.ts', import.meta.url).href);
}
