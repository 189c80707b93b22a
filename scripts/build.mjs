// Builds everything the app runs from: Node side (tsc -> dist/, used by the Electron shell),
// the `kyso` CLI bundle (esbuild -> dist/cli/, see build-cli.mjs), preload (esbuild, CJS for
// Electron's sandbox) and renderer (vite -> dist/renderer). Skips parts whose tools are absent
// so that `npm install` (prepare) works before devDependencies land.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// tsc exits 2 when it found type errors but still wrote every output. Type errors are the
// job of `npm run typecheck` (a CI gate); failing the build for them would also fail
// `npm ci` (prepare) and `npm start`, so warn and go on. Exit 1 (nothing emitted) still fails.
function tsc(args) {
  const r = spawnSync(bin('tsc'), args, { cwd: root, stdio: 'inherit' });
  if (r.status === 2) console.warn(`build: type errors above (tsc ${args.join(' ')}); outputs written, run npm run typecheck`);
  else if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(bin('tsc'))) {
  console.warn('build: typescript not installed yet, skipping');
  process.exit(0);
}
mkdirSync(path.join(root, 'dist'), { recursive: true });
if (existsSync(path.join(root, 'tsconfig.build.json'))) tsc(['-p', 'tsconfig.build.json']);
if (existsSync(path.join(root, 'main/shell/tsconfig.build.json'))) tsc(['-p', 'main/shell/tsconfig.build.json']);
if (existsSync(bin('esbuild'))) {
  const { buildCli } = await import('./build-cli.mjs');
  await buildCli();
}
if (existsSync(bin('esbuild')) && existsSync(path.join(root, 'preload/preload.ts'))) {
  run(bin('esbuild'), ['preload/preload.ts', '--bundle', '--platform=node', '--format=cjs',
    '--external:electron', '--outfile=dist/preload/preload.cjs', '--log-level=warning']);
}
if (existsSync(bin('vite')) && existsSync(path.join(root, 'renderer/vite.config.ts'))) {
  run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
}
