/**
 * The deb's maintainer scripts and its `kyso` launcher, run for real as root: the postinst
 * trusts the signing service's local CA for the installing account and installs the login
 * autostart that trusts it for every other account; the postrm takes it out of every account.
 *
 * What is real: bash running the scripts as electron-builder fills them, runuser, certutil and
 * NSS databases owned by the accounts, Kyso's CLI bundle (built by scripts/build-cli.mjs) doing
 * `service install-ca` in each account's own folder. What stands in: the Electron binary, which
 * cannot be downloaded here; `/opt/Kyso/kyso` is a script that, like main/shell/main.ts, runs the
 * command line when started with `--kyso-cli` and otherwise records that it would open the app.
 * The machine is not touched: each step runs in a private mount namespace where /opt, the XDG
 * autostart folder, /etc/passwd and /etc/login.defs are this test's own (two accounts that exist
 * only there), and update-alternatives and the desktop database tools are recording stand-ins.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../../scripts/build-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const canRun = process.getuid?.() === 0 && ['unshare', 'runuser', 'certutil', 'mount'].every(has);

/** Fills an electron-builder script template as its deb target does (executable "kyso", product "Kyso"). */
function fillTemplate(file: string): string {
  return readFileSync(path.join(root, file), 'utf8').replace(/\$\{([a-zA-Z]+)\}/g, (_m, n: string) => (n === 'executable' ? 'kyso' : 'Kyso'));
}

interface Account {
  name: string;
  uid: number;
  home: string;
}

describe.skipIf(!canRun)('deb maintainer scripts and the kyso launcher', () => {
  let t: string;
  let app: string;
  let shims: string;
  const accounts: Record<'ana' | 'binh', Account> = {} as never;

  /** Runs `cmd` as root inside a mount namespace that holds this test's /opt, autostart folder and accounts. */
  function inNamespace(cmd: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    const binds = [
      [path.join(t, 'opt'), '/opt'],
      [path.join(t, 'autostart'), '/etc/xdg/autostart'],
      [path.join(t, 'passwd'), '/etc/passwd'],
      [path.join(t, 'login.defs'), '/etc/login.defs'],
    ];
    const script = binds.map(([from, to]) => `mount --bind '${from}' '${to}'`).join(' && ') + ' && exec "$@"';
    return spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'ns', ...cmd], {
      encoding: 'utf8',
      env: { PATH: `${shims}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, LANG: 'C.UTF-8', KYSO_LANG: 'en', ...env },
      timeout: 120_000,
    });
  }

  /** Runs the login autostart's command as `who`, as a desktop session would. */
  function login(who: Account): SpawnSyncReturns<string> {
    const entry = readFileSync(path.join(t, 'autostart', 'kyso-local-ca.desktop'), 'utf8');
    const exec = /^Exec=(.*)$/m.exec(entry)![1]!.split(' ');
    return inNamespace(['runuser', '-u', who.name, '--', 'env', '-i', `HOME=${who.home}`, `USER=${who.name}`, 'PATH=/usr/bin:/bin', 'KYSO_LANG=en', ...exec]);
  }

  /** Kyso CA nicknames in an NSS database (read as root). */
  function kysoCas(db: string): string[] {
    if (!existsSync(path.join(db, 'cert9.db'))) return [];
    const r = spawnSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
    return r.stdout.split('\n').filter((l) => l.startsWith('Kyso Local Signing CA')).map((l) => l.replace(/\s+\S*,\S*,\S*\s*$/, ''));
  }

  /** The account's own local CA (made by `kyso service install-ca` in its Kyso folder). */
  function ownCa(who: Account): X509Certificate {
    return new X509Certificate(readFileSync(path.join(who.home, '.config', 'kyso', 'local-service', 'local-ca.pem')));
  }

  /** True when `db` trusts exactly this account's CA for TLS servers ("C,,"). */
  function trustsOwnCa(who: Account, db: string): boolean {
    const ca = ownCa(who);
    const nick = ca.subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
    const r = spawnSync('certutil', ['-L', '-d', `sql:${db}`, '-n', nick, '-a'], { encoding: 'utf8' });
    const trust = spawnSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.startsWith(nick));
    return r.status === 0 && r.stdout.replace(/\s/g, '').includes(ca.raw.toString('base64')) && /\sC,,\s*$/.test(trust ?? '');
  }

  beforeAll(async () => {
    t = mkdtempSync('/tmp/kyso-deb-');
    chmodSync(t, 0o755);
    app = path.join(t, 'opt', 'Kyso');
    shims = path.join(t, 'shims');
    for (const d of [app, shims, path.join(t, 'autostart'), path.join(t, 'home')]) mkdirSync(d, { recursive: true, mode: 0o755 });
    // The installed app as the deb lays it out: resources/app/{package.json,dist/cli}, the binary, the launcher.
    const appRoot = path.join(app, 'resources', 'app');
    mkdirSync(appRoot, { recursive: true });
    copyFileSync(path.join(root, 'package.json'), path.join(appRoot, 'package.json'));
    await buildCli(path.join(appRoot, 'dist', 'cli'));
    writeFileSync(
      path.join(app, 'kyso'),
      [
        '#!/bin/sh',
        '# Stand-in for the Electron binary: the command line with --kyso-cli (main/shell/main.ts), else "the app".',
        'for a in "$@"; do',
        `  [ "$a" = --kyso-cli ] && exec '${process.execPath}' '${path.join(appRoot, 'dist', 'cli', 'main.js')}' "$@"`,
        'done',
        `echo "app $*" >> '${path.join(t, 'app.log')}'`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    // As extraFiles may leave it: the postinst makes it executable.
    copyFileSync(path.join(root, 'build', 'linux', 'kyso-command.sh'), path.join(app, 'kyso-command'));
    chmodSync(path.join(app, 'kyso-command'), 0o644);
    const log = path.join(t, 'alternatives.log');
    writeFileSync(path.join(shims, 'update-alternatives'), `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
    for (const tool of ['update-mime-database', 'update-desktop-database']) writeFileSync(path.join(shims, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(path.join(shims, 'apparmor_status'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    // Two login accounts that exist only inside the namespace.
    const lines = ['root:x:0:0:root:/root:/bin/bash'];
    for (const [i, name] of (['ana', 'binh'] as const).entries()) {
      const a: Account = { name: `kyso${name}`, uid: 15_001 + i, home: path.join(t, 'home', name) };
      mkdirSync(a.home, { mode: 0o700 });
      chownSync(a.home, a.uid, a.uid);
      lines.push(`${a.name}:x:${a.uid}:${a.uid}::${a.home}:/bin/sh`);
      accounts[name] = a;
    }
    writeFileSync(path.join(t, 'passwd'), lines.join('\n') + '\n');
    writeFileSync(path.join(t, 'login.defs'), 'UID_MIN 15000\nUID_MAX 15999\n');
    // Binh also uses Firefox: a profile with its own NSS database.
    const profile = path.join(accounts.binh.home, '.mozilla', 'firefox', 'k1.default-release');
    mkdirSync(profile, { recursive: true });
    expect(spawnSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']).status).toBe(0);
    spawnSync('chown', ['-R', `${accounts.binh.uid}:${accounts.binh.uid}`, path.join(accounts.binh.home, '.mozilla')]);
    for (const [file, text] of [['postinst', fillTemplate('build/linux/after-install.sh')], ['postrm', fillTemplate('build/linux/after-remove.sh')]] as const) writeFileSync(path.join(t, file), text, { mode: 0o755 });
  }, 180_000);

  afterAll(() => {
    if (t) rmSync(t, { recursive: true, force: true });
  });

  it('postinst: `kyso` on PATH is the launcher, the autostart is installed, the installing account trusts its own CA', () => {
    const r = inNamespace(['bash', path.join(t, 'postinst'), 'configure'], { SUDO_USER: accounts.ana.name });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(t, 'alternatives.log'), 'utf8')).toContain('--install /usr/bin/kyso kyso /opt/Kyso/kyso-command 100');
    expect(statSync(path.join(app, 'kyso-command')).mode & 0o777).toBe(0o755);
    const entry = readFileSync(path.join(t, 'autostart', 'kyso-local-ca.desktop'), 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]$/m);
    expect(entry).toMatch(/^Type=Application$/m);
    expect(entry).toMatch(/^Exec=\/opt\/Kyso\/kyso-command service install-ca --if-needed$/m);
    // Ana's CA, in Ana's folder and database, owned by Ana (never by root).
    const db = path.join(accounts.ana.home, '.pki', 'nssdb');
    expect(trustsOwnCa(accounts.ana, db)).toBe(true);
    expect(statSync(path.join(db, 'cert9.db')).uid).toBe(accounts.ana.uid);
    expect(statSync(path.join(accounts.ana.home, '.config', 'kyso', 'local-service', 'service-key.pem')).uid).toBe(accounts.ana.uid);
    // The CA is name-constrained to loopback and Kyso's own (not a machine-wide one).
    expect(ownCa(accounts.ana).subject).toContain('CN=Kyso Local Signing CA');
    // Binh has not logged in yet: nothing made for Binh.
    expect(existsSync(path.join(accounts.binh.home, '.config', 'kyso'))).toBe(false);
    // The app itself was never started (no window as root, none as Ana).
    expect(existsSync(path.join(t, 'app.log'))).toBe(false);
  });

  it("login autostart: another account trusts its own CA in Chromium's and Firefox's databases, then has nothing to do", () => {
    const first = login(accounts.binh);
    expect(first.status, first.stderr).toBe(0);
    expect(trustsOwnCa(accounts.binh, path.join(accounts.binh.home, '.pki', 'nssdb'))).toBe(true);
    expect(trustsOwnCa(accounts.binh, path.join(accounts.binh.home, '.mozilla', 'firefox', 'k1.default-release'))).toBe(true);
    // Two accounts, two CAs: neither trusts the other's.
    expect(ownCa(accounts.binh).fingerprint256).not.toBe(ownCa(accounts.ana).fingerprint256);
    expect(kysoCas(path.join(accounts.binh.home, '.pki', 'nssdb'))).toHaveLength(1);
    const again = login(accounts.binh);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('already trusted everywhere: nothing to do');
  });

  it('login autostart respects an account that removed the trust, until it trusts again', () => {
    const removed = inNamespace(['runuser', '-u', accounts.ana.name, '--', 'env', '-i', `HOME=${accounts.ana.home}`, 'PATH=/usr/bin:/bin', 'KYSO_LANG=en', '/opt/Kyso/kyso-command', 'service', 'uninstall-ca']);
    expect(removed.status, removed.stderr).toBe(0);
    const db = path.join(accounts.ana.home, '.pki', 'nssdb');
    expect(kysoCas(db)).toEqual([]);
    const r = login(accounts.ana);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('You removed the local CA');
    expect(kysoCas(db)).toEqual([]);
    // Installing again trusts for the installing account (an explicit choice).
    const reinstall = inNamespace(['bash', path.join(t, 'postinst'), 'configure'], { SUDO_USER: accounts.ana.name });
    expect(reinstall.status, reinstall.stderr).toBe(0);
    expect(trustsOwnCa(accounts.ana, db)).toBe(true);
  });

  it('the launcher: a command word runs the command line without a window; files, links and nothing open the app', () => {
    const cmd = path.join(app, 'kyso-command');
    const version = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toBe(`kyso ${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
    const help = spawnSync(cmd, ['--lang', 'en', 'service', 'install-ca', '--help'], { encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('--if-needed');
    const unknown = spawnSync(cmd, ['--lang', 'en', 'no-such-command'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no-such-command');
    rmSync(path.join(t, 'app.log'), { force: true });
    for (const args of [[], ['/home/ana/Công văn.pdf'], ['kyso://open?doc=1'], ['Report.pdf'], ['./verify']]) {
      expect(spawnSync(cmd, args, { encoding: 'utf8' }).status).toBe(0);
    }
    expect(readFileSync(path.join(t, 'app.log'), 'utf8').split('\n').filter(Boolean)).toEqual(['app ', 'app /home/ana/Công văn.pdf', 'app kyso://open?doc=1', 'app Report.pdf', 'app ./verify']);
  });

  it('postrm on upgrade keeps the trust; on removal every account loses its Kyso CAs and the autostart goes', () => {
    const upgrade = inNamespace(['bash', path.join(t, 'postrm'), 'upgrade']);
    expect(upgrade.status, upgrade.stderr).toBe(0);
    expect(trustsOwnCa(accounts.ana, path.join(accounts.ana.home, '.pki', 'nssdb'))).toBe(true);
    expect(existsSync(path.join(t, 'autostart', 'kyso-local-ca.desktop'))).toBe(true);
    const remove = inNamespace(['bash', path.join(t, 'postrm'), 'remove']);
    expect(remove.status, remove.stderr).toBe(0);
    expect(readFileSync(path.join(t, 'alternatives.log'), 'utf8')).toContain('--remove kyso /opt/Kyso/kyso-command');
    expect(existsSync(path.join(t, 'autostart', 'kyso-local-ca.desktop'))).toBe(false);
    for (const db of [
      path.join(accounts.ana.home, '.pki', 'nssdb'),
      path.join(accounts.binh.home, '.pki', 'nssdb'),
      path.join(accounts.binh.home, '.mozilla', 'firefox', 'k1.default-release'),
    ]) {
      expect(existsSync(path.join(db, 'cert9.db'))).toBe(true);
      expect(kysoCas(db), db).toEqual([]);
    }
  });
});
