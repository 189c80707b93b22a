/** scripts/deps-check.mjs decides whether `npm start`/`npm test`/CI must run `npm ci`. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/deps-check.mjs');
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project dir with a lockfile and (optionally) npm's hidden lockfile. */
function project(lock: Record<string, object>, hidden?: Record<string, object>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-deps-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ packages: { '': {}, ...lock } }));
  if (hidden) {
    mkdirSync(path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: hidden }));
  }
  return dir;
}

function check(dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('deps-check', () => {
  it('is satisfied when node_modules matches the lockfile (optional foreign-platform packages absent)', () => {
    const dir = project(
      { 'node_modules/zod': { version: '4.1.0' }, 'node_modules/@esbuild/win32-x64': { version: '0.28.2', optional: true } },
      { 'node_modules/zod': { version: '4.1.0' } },
    );
    expect(check(dir).status).toBe(0);
  });

  it('asks for npm ci when node_modules is missing, a package is missing or at another version', () => {
    expect(check(project({ 'node_modules/zod': { version: '4.1.0' } })).stderr).toContain('node_modules missing');
    const missing = check(project({ 'node_modules/zod': { version: '4.1.0' }, 'node_modules/ws': { version: '8.0.0' } }, { 'node_modules/zod': { version: '4.1.0' } }));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('node_modules/ws not installed');
    const other = check(project({ 'node_modules/zod': { version: '4.1.0' } }, { 'node_modules/zod': { version: '3.0.0' } }));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('lock wants 4.1.0');
  });

  it('asks for npm ci when a native addon was never built', () => {
    const dir = project({ 'node_modules/pkcs11js': { version: '2.1.7' } }, { 'node_modules/pkcs11js': { version: '2.1.7' } });
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pkcs11js/build/Release/pkcs11.node not built');
  });
});
