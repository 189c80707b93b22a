/**
 * The deb's maintainer scripts and its `kyso` launcher, run for real as root: the postinst
 * trusts the signing service's local CA for the installing account and installs the login
 * autostart that trusts it for every other account; the postrm takes it out of every account.
 * The machine is not touched: deb-bed.ts runs each step in a private mount namespace with two
 * accounts that exist only there (what is real and what stands in: see there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDebBed, makeDebBed, root, type Account, type DebBed } from './deb-bed.js';

describe.skipIf(!canRunDebBed)('deb maintainer scripts and the kyso launcher', () => {
  let bed: DebBed;
  let t: string;
  let app: string;
  const accounts: Record<'ana' | 'binh', Account> = {} as never;

  beforeAll(async () => {
    bed = await makeDebBed();
    ({ t, app } = bed);
    accounts.ana = bed.addAccount('kysoana');
    accounts.binh = bed.addAccount('kysobinh');
    // Binh also uses Firefox: a profile with its own NSS database.
    const profile = path.join(accounts.binh.home, '.mozilla', 'firefox', 'k1.default-release');
    mkdirSync(profile, { recursive: true });
    expect(spawnSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']).status).toBe(0);
    spawnSync('chown', ['-R', `${accounts.binh.uid}:${accounts.binh.uid}`, path.join(accounts.binh.home, '.mozilla')]);
  }, 180_000);

  afterAll(() => bed?.cleanup());

  const inNamespace = (...a: Parameters<DebBed['inNamespace']>) => bed.inNamespace(...a);
  const login = (who: Account) => bed.login(who);
  const kysoCas = (db: string) => bed.kysoCas(db);
  const ownCa = (who: Account) => bed.ownCa(who);
  const trustsOwnCa = (who: Account, db: string) => bed.trustsOwnCa(who, db);

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
    // The binary ran once, as Ana, as the command line: the app itself was never started (no window as root, none as Ana).
    expect(bed.starts().map((s) => [s.uid, s.mode])).toEqual([[accounts.ana.uid, 'cli']]);
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
    bed.starts();
    for (const args of [[], ['/home/ana/Công văn.pdf'], ['kyso://open?doc=1'], ['Report.pdf'], ['./verify']]) {
      expect(spawnSync(cmd, args, { encoding: 'utf8' }).status).toBe(0);
    }
    expect(bed.starts().map((s) => [s.mode, s.args.filter((a) => a !== '--')])).toEqual([
      ['app', []],
      ['app', ['/home/ana/Công văn.pdf']],
      ['app', ['kyso://open?doc=1']],
      ['app', ['Report.pdf']],
      ['app', ['./verify']],
    ]);
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
