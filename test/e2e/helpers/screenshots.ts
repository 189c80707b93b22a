/**
 * Where the e2e specs save their screenshots. A test run writes them to
 * test-results/screenshots/ (ignored by git), so `npm test` leaves the work tree clean; only
 * `npm run screenshots` (KYSO_SCREENSHOTS=docs, set by scripts/e2e.mjs --screenshots) refreshes
 * the tracked docs/screenshots/ shown in the README.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './host.js';

/** The folder screenshots go to in this run (created on first use). */
export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.KYSO_SCREENSHOTS === 'docs' ? path.join(root, 'docs', 'screenshots') : path.join(root, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The path of one screenshot, e.g. `shot('home.png')`. */
export function shot(name: string): string {
  return path.join(screenshotDir(), name);
}
