// Exits 0 when node_modules matches package-lock.json, 1 when `npm ci` is needed. Compares
// the lockfile with npm's hidden lockfile (node_modules/.package-lock.json), which npm writes
// after every install: same packages at the same versions means nothing to do.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = process.argv[2] ?? process.cwd();
const lockPath = path.join(root, 'package-lock.json');
const hiddenPath = path.join(root, 'node_modules', '.package-lock.json');

function stale(why) {
  console.error(`deps-check: ${why}`);
  process.exit(1);
}

if (!existsSync(hiddenPath)) stale('node_modules missing');
const lock = JSON.parse(readFileSync(lockPath, 'utf8')).packages ?? {};
const hidden = JSON.parse(readFileSync(hiddenPath, 'utf8')).packages ?? {};
for (const [key, entry] of Object.entries(lock)) {
  if (!key.startsWith('node_modules/') && !key.includes('/node_modules/')) continue;
  const have = hidden[key];
  // Optional packages for other platforms (e.g. @esbuild/win32-x64) are never installed.
  if (!have) {
    if (entry.optional) continue;
    stale(`${key} not installed`);
  }
  if (entry.version && have.version !== entry.version) stale(`${key} is ${have.version}, lock wants ${entry.version}`);
}
// Native addons must be built: a missing .node file means an interrupted install.
for (const addon of ['better-sqlite3/build/Release/better_sqlite3.node', 'pkcs11js/build/Release/pkcs11.node']) {
  if (lock[`node_modules/${addon.split('/')[0]}`] && !existsSync(path.join(root, 'node_modules', addon))) stale(`${addon} not built`);
}
process.exit(0);
