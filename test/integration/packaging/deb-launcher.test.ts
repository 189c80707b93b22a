/**
 * The deb's `kyso` launcher (build/linux/kyso-command.sh) against odd and hostile arguments, run
 * for real in deb-bed.ts's private mount namespace: arguments that try to become Chromium
 * switches, root, a symlink chain, a relative path, a folder with spaces and quotes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDebBed, makeDebBed, type DebBed } from './deb-bed.js';

const chromium = '/usr/lib/chromium/chromium';

describe.skipIf(!canRunDebBed)('the deb launcher against hostile arguments', () => {
  let bed: DebBed;

  beforeAll(async () => {
    bed = await makeDebBed();
    // The postinst makes the launcher executable; these tests run it without a postinst.
    chmodSync(path.join(bed.app, 'kyso-command'), 0o755);
  }, 180_000);

  afterAll(() => bed?.cleanup());

  it.skipIf(!existsSync(chromium))("premise: Chromium takes a switch from anywhere on its command line, except after '--'", () => {
    const marker = path.join(bed.t, 'prefix-ran');
    const prefix = path.join(bed.t, 'prefix.sh');
    writeFileSync(prefix, `#!/bin/sh\necho ran >> '${marker}'\nexec "$@"\n`, { mode: 0o755 });
    const base = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${path.join(bed.t, 'chromium')}`, '--dump-dom'];
    // A "file name" after a plain argument still becomes a switch: Chromium runs the program it names.
    expect(spawnSync(chromium, [...base, 'about:blank', `--utility-cmd-prefix=${prefix}`], { timeout: 30_000 }).status).toBe(0);
    expect(existsSync(marker)).toBe(true);
    spawnSync('rm', ['-f', marker]);
    // After '--' it is only the page to load: Chromium runs as before, and not that program.
    expect(spawnSync(chromium, [...base, '--', `--utility-cmd-prefix=${prefix}`], { timeout: 30_000 }).status).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("hands the binary the user's arguments after '--': a file named like a Chromium switch stays a file name", () => {
    const cmd = path.join(bed.app, 'kyso-command');
    const hostile = `--utility-cmd-prefix=${path.join(bed.t, 'evil.sh')}`;
    bed.starts();
    spawnSync(cmd, ['verify', hostile], { encoding: 'utf8' });
    spawnSync(cmd, ['--lang', 'en', 'verify', 'a.pdf', hostile], { encoding: 'utf8' });
    spawnSync(cmd, ['a.pdf', `${hostile}.pdf`], { encoding: 'utf8' });
    const starts = bed.starts();
    expect(starts.map((s) => s.mode)).toEqual(['cli', 'cli', 'app']);
    for (const s of starts) {
      const bad = s.args.findIndex((a) => a.startsWith('--utility-cmd-prefix'));
      expect(s.args.indexOf('--'), JSON.stringify(s.args)).toBeGreaterThanOrEqual(0);
      expect(s.args.indexOf('--'), JSON.stringify(s.args)).toBeLessThan(bad);
    }
    // The command line still gets exactly what the user typed.
    const r = spawnSync(cmd, ['--lang', 'en', 'verify', '--help'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('kyso verify');
  });

  it('runs the command line as root too (Electron refuses to start as root with its sandbox on), and only then without the sandbox', () => {
    const cmd = path.join(bed.app, 'kyso-command');
    bed.starts();
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ana = bed.addAccount('kysoroot1');
    expect(bed.asAccount(ana, ['--version']).status).toBe(0);
    const [asRoot, asAna] = bed.starts();
    expect(asRoot!.mode).toBe('cli');
    expect(asRoot!.args.indexOf('--no-sandbox')).toBeGreaterThanOrEqual(0);
    expect(asRoot!.args.indexOf('--no-sandbox')).toBeLessThan(asRoot!.args.indexOf('--kyso-cli'));
    expect(asAna!.mode).toBe('cli');
    expect(asAna!.args).not.toContain('--no-sandbox');
  });

  it('finds the binary through a symlink chain (update-alternatives), a relative path and a folder with spaces', () => {
    const links = path.join(bed.t, 'links');
    mkdirSync(path.join(links, 'etc', 'alternatives'), { recursive: true });
    mkdirSync(path.join(links, 'usr', 'bin'), { recursive: true });
    symlinkSync(path.join(bed.app, 'kyso-command'), path.join(links, 'etc', 'alternatives', 'kyso'));
    symlinkSync('../../etc/alternatives/kyso', path.join(links, 'usr', 'bin', 'kyso'));
    const spaced = path.join(bed.t, "opt 2", "Ky'so App");
    mkdirSync(path.dirname(spaced), { recursive: true });
    spawnSync('cp', ['-a', bed.app, spaced]);
    bed.starts();
    for (const [file, cwd] of [
      [path.join(links, 'usr', 'bin', 'kyso'), '/'],
      ['./kyso', path.join(links, 'usr', 'bin')],
      ['../opt/Kyso/kyso-command', path.join(bed.t, 'home')],
      [path.join(spaced, 'kyso-command'), '/'],
    ] as const) {
      const r = spawnSync(file, ['--version'], { encoding: 'utf8', cwd });
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^kyso \d/);
    }
    expect(bed.starts().map((s) => s.mode)).toEqual(['cli', 'cli', 'cli', 'cli']);
  });
});
