// The `kyso` command frame, run as a real process through bin/kyso.js.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/kyso.js');
const kyso = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, KYSO_FROM_SOURCE: '1', ...env } });

describe('kyso CLI', () => {
  it('prints the version from package.json', () => {
    const r = kyso(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^kyso \d+\.\d+\.\d+$/);
  });

  it('prints help in Vietnamese by default and in English with KYSO_LANG=en', () => {
    const vi = kyso(['--help'], { KYSO_LANG: '', LANG: 'C' });
    expect(vi.status).toBe(0);
    expect(vi.stdout).toContain('Cách dùng: kyso');
    const en = kyso(['--help'], { KYSO_LANG: 'en' });
    expect(en.stdout).toContain('Usage: kyso');
    expect(en.stdout).toContain('app');
  });

  it('--lang overrides KYSO_LANG', () => {
    expect(kyso(['--lang', 'en', '--help'], { KYSO_LANG: 'vi' }).stdout).toContain('Usage: kyso');
  });

  it('fails clearly on an unknown command', () => {
    const r = kyso(['frobnicate'], { KYSO_LANG: 'en' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Error: Unknown command: frobnicate');
  });
});
