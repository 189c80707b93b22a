/**
 * scripts/lib.sh ensure_apt, run under `set -euo pipefail` as .ci/run and scripts/test.sh do,
 * against fake dpkg-query/apt-cache/apt-get on PATH that record how they were called.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const lib = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/lib.sh');
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A bin dir with fake apt tools: `installed` are reported installed, `noCandidate` have none. */
function fakeApt(installed: string[], noCandidate: string[]): { bin: string; log: string } {
  const bin = mkdtempSync(path.join(os.tmpdir(), 'kyso-apt-'));
  dirs.push(bin);
  const log = path.join(bin, 'calls.log');
  const tool = (name: string, body: string) => {
    const f = path.join(bin, name);
    writeFileSync(f, `#!/usr/bin/env bash\necho "${name} $*" >> ${JSON.stringify(log)}\n${body}\n`);
    chmodSync(f, 0o755);
  };
  const inst = installed.map((p) => `"${p}"`).join('|') || '__none__';
  tool('dpkg-query', `case "\${@: -1}" in ${inst}) printf 'install ok installed';; *) exit 1;; esac`);
  const none = noCandidate.map((p) => `"${p}"`).join('|') || '__none__';
  // A long policy text, as the real apt-cache prints (version tables), written in pieces.
  tool(
    'apt-cache',
    `p="\${@: -1}"; echo "$p:"; echo "  Installed: (none)"
case "$p" in ${none}) echo "  Candidate: (none)";; *) echo "  Candidate: 1.0-1";; esac
for i in $(seq 1 400); do echo "     1.0-$i 500 http://deb.debian.org/debian bookworm/main amd64 Packages"; done`,
  );
  tool('apt-get', 'exit 0');
  tool('id', 'echo 0');
  return { bin, log };
}

function runEnsureApt(bin: string): { status: number | null; stderr: string } {
  const script = `set -euo pipefail; source ${JSON.stringify(lib)}; KYSO_APT_PACKAGES=(alpha beta gamma); ensure_apt`;
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, CI: 'true' },
  });
  return { status: r.status, stderr: r.stderr };
}

describe('ensure_apt', () => {
  it('installs every missing package that has a candidate (pipefail does not turn apt-cache output into "no candidate")', () => {
    const { bin, log } = fakeApt(['alpha'], ['gamma']);
    const r = runEnsureApt(bin);
    expect(r.status).toBe(0);
    const calls = readFileSync(log, 'utf8').split('\n');
    const install = calls.find((c) => c.startsWith('apt-get') && c.includes(' install '));
    expect(install).toBeDefined();
    expect(install).toMatch(/ beta$/);
    expect(calls.some((c) => c.startsWith('apt-get') && c.includes('update'))).toBe(true);
    expect(r.stderr).toContain('no apt candidate for gamma');
    expect(r.stderr).not.toContain('no apt candidate for beta');
  });

  it('does nothing (no apt-get update) when everything is installed', () => {
    const { bin, log } = fakeApt(['alpha', 'beta', 'gamma'], []);
    expect(runEnsureApt(bin).status).toBe(0);
    expect(readFileSync(log, 'utf8')).not.toContain('apt-get');
  });
});
