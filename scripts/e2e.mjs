// Runs the end-to-end specs: builds the renderer, then runs test/e2e/*.e2e.test.ts with
// vitest (each spec starts `kyso app --browser` with a temp KYSO_HOME and drives Debian's
// Chromium through playwright-core), and prints a one-line pass/fail summary. Screenshots
// go to test-results/screenshots/ (ignored); `--screenshots` (npm run screenshots) writes them
// to docs/screenshots/ instead, the README's pictures.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const docsShots = process.argv.includes('--screenshots');
const extra = process.argv.slice(2).filter((a) => a !== '--screenshots');

if (process.env.KYSO_E2E_SKIP_BUILD !== '1') {
  const b = spawnSync(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('e2e: FAIL (renderer build failed)');
    process.exit(b.status ?? 1);
  }
}
const r = spawnSync(bin('vitest'), ['run', '--config', 'test/e2e/vitest.config.ts', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, KYSO_FROM_SOURCE: '1', ...(docsShots ? { KYSO_SCREENSHOTS: 'docs' } : {}) },
});
console.log(r.status === 0 ? 'e2e: PASS' : `e2e: FAIL (exit ${r.status})`);
process.exit(r.status ?? 1);
