/**
 * The deb's maintainer scripts and `service install-ca --if-needed` against odd and hostile
 * accounts, run for real as root in deb-bed.ts's private mount namespace: odd SUDO_USER and
 * PKEXEC_UID values, homes that are missing, symlinked or full of quotes, NSS databases that
 * belong to root or have a password, a certutil that blocks, an upgrade after the user removed
 * the trust, a corrupted record, a read-only, root-owned or full home, no certutil.
 * What must hold: root never writes into an account's files, the package operation always
 * succeeds and never hangs, the user gets a clear message in their language.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunDebBed, makeDebBed, type Account, type DebBed } from './deb-bed.js';

/** Every file under `dir` (not following symlinks) owned by root. */
function rootOwned(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      const s = lstatSync(p);
      if (s.uid === 0) out.push(p);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Makes an NSS database as `who` would have it (`password`: a Firefox primary password). */
function nssDb(who: Account, db: string, password?: string): void {
  mkdirSync(db, { recursive: true });
  const pw = path.join(path.dirname(db), '.pw');
  writeFileSync(pw, password ?? '');
  const r = spawnSync('certutil', ['-N', '-d', `sql:${db}`, ...(password ? ['-f', pw] : ['--empty-password'])], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  spawnSync('rm', ['-f', pw]);
  spawnSync('chown', ['-R', `${who.uid}:${who.uid}`, who.home]);
}

const profileOf = (who: Account, name: string) => path.join(who.home, '.mozilla', 'firefox', name);
const chromiumDb = (who: Account) => path.join(who.home, '.pki', 'nssdb');
const record = (who: Account) => path.join(who.home, '.config', 'kyso', 'local-service', 'installed-cas.json');

describe.skipIf(!canRunDebBed)('deb scripts and install-ca against hostile accounts', () => {
  let bed: DebBed;

  beforeAll(async () => {
    bed = await makeDebBed();
  }, 180_000);

  afterAll(() => bed?.cleanup());

  describe('postinst and postrm', () => {
    it('odd SUDO_USER and PKEXEC_UID values: nobody is touched, the installation succeeds', () => {
      const ana = bed.addAccount('kysoodd1');
      const envs: Array<Record<string, string>> = [{ SUDO_USER: 'root' }, { SUDO_USER: 'no-such-user' }, { SUDO_USER: '-x' }, { SUDO_USER: '--help' }, { PKEXEC_UID: 'abc' }, { PKEXEC_UID: '0' }, { PKEXEC_UID: '99999' }, { SUDO_USER: '' }];
      for (const env of envs) {
        bed.starts();
        const r = bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], env);
        expect(r.status, `${JSON.stringify(env)}: ${r.stderr}`).toBe(0);
        expect(bed.starts(), JSON.stringify(env)).toEqual([]);
      }
      expect(readdirSync(ana.home)).toEqual([]);
    });

    it('homes that are missing, symlinked to another home or to /root, or full of quotes: trust as the account or not at all, never as root', () => {
      const owner = bed.addAccount('kysoown1');
      const nohome = bed.addAccount('kysonohome', { home: path.join(bed.t, 'home', 'gone'), makeHome: false });
      const toOther = bed.addAccount('kysolink1', { home: path.join(bed.t, 'home', 'link-to-owner'), makeHome: false });
      symlinkSync(owner.home, toOther.home);
      const toRoot = bed.addAccount('kysolink2', { home: path.join(bed.t, 'home', 'link-to-root'), makeHome: false });
      symlinkSync('/root', toRoot.home);
      const quoted = bed.addAccount('kysoquote', { home: path.join(bed.t, 'home', `o'brien "x" y`) });
      const profile = profileOf(quoted, 'a b.default release');
      nssDb(quoted, profile);
      const rootBefore = readdirSync('/root').sort();
      for (const who of [nohome, toOther, toRoot, quoted]) {
        const r = bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], { SUDO_USER: who.name });
        expect(r.status, `${who.name}: ${r.stderr}`).toBe(0);
      }
      expect(readdirSync('/root').sort()).toEqual(rootBefore);
      expect(existsSync(nohome.home)).toBe(false);
      // The owner's home is not the other account's to write in.
      expect(readdirSync(owner.home)).toEqual([]);
      expect(bed.trustsOwnCa(quoted, chromiumDb(quoted))).toBe(true);
      expect(bed.trustsOwnCa(quoted, profile)).toBe(true);
      expect(rootOwned(quoted.home)).toEqual([]);
      // And the postrm finds it there too.
      const rm = bed.inNamespace(['bash', path.join(bed.t, 'postrm'), 'remove']);
      expect(rm.status, rm.stderr).toBe(0);
      expect(bed.kysoCas(chromiumDb(quoted))).toEqual([]);
      expect(bed.kysoCas(profile)).toEqual([]);
    });

    it("databases that are root's (a `sudo certutil` earlier, a symlinked cert9.db): root changes none of them, the rest is trusted", () => {
      const who = bed.addAccount('kysorootdb');
      // A root-owned database elsewhere that the account's Firefox profile points at; Chromium's folder made by root (below).
      const theirs = path.join(bed.t, 'root-db');
      mkdirSync(theirs, { mode: 0o755 });
      expect(spawnSync('certutil', ['-N', '-d', `sql:${theirs}`, '--empty-password']).status).toBe(0);
      const caPem = path.join(bed.t, 'root-db-ca.pem');
      spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-out', caPem, '-subj', '/CN=x', '-days', '2']);
      expect(spawnSync('certutil', ['-A', '-d', `sql:${theirs}`, '-n', 'Kyso Local Signing CA (root 2026-01-01) 1', '-t', 'C,,', '-i', caPem]).status).toBe(0);
      const linked = profileOf(who, 'linked.default');
      const own = profileOf(who, 'own.default');
      nssDb(who, own);
      mkdirSync(linked, { recursive: true });
      symlinkSync(path.join(theirs, 'cert9.db'), path.join(linked, 'cert9.db'));
      symlinkSync(path.join(theirs, 'key4.db'), path.join(linked, 'key4.db'));
      spawnSync('chown', ['-h', '-R', `${who.uid}:${who.uid}`, path.join(who.home, '.mozilla')]);
      mkdirSync(path.join(who.home, '.pki'), { mode: 0o755 });
      const theirsBefore = statSync(path.join(theirs, 'cert9.db'));
      const r = bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], { SUDO_USER: who.name, LANG: 'en_US.UTF-8' });
      expect(r.status, r.stderr).toBe(0);
      // Chromium's database could not be made in root's folder: said plainly, and Firefox's own profile is still trusted.
      expect(r.stderr).toContain(`Could not trust the local CA in ${chromiumDb(who)}: EACCES`);
      expect(bed.trustsOwnCa(who, own)).toBe(true);
      expect(existsSync(path.join(who.home, '.config', 'kyso', 'local-service', 'installed-cas.json'))).toBe(true);
      const rm = bed.inNamespace(['bash', path.join(bed.t, 'postrm'), 'purge']);
      expect(rm.status, rm.stderr).toBe(0);
      expect(bed.kysoCas(theirs)).toEqual(['Kyso Local Signing CA (root 2026-01-01) 1']);
      const theirsAfter = statSync(path.join(theirs, 'cert9.db'));
      expect([theirsAfter.uid, theirsAfter.mtimeMs]).toEqual([0, theirsBefore.mtimeMs]);
      expect(bed.kysoCas(own)).toEqual([]);
      expect(lstatSync(path.join(who.home, '.pki')).uid).toBe(0);
    });

    it('a Firefox profile with a primary password: installing from a terminal does not wait for it, and it is not taken for trusted', () => {
      const who = bed.addAccount('kysofox');
      const locked = profileOf(who, 'locked.default');
      nssDb(who, locked, 'primary-password');
      const started = Date.now();
      const r = bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], { SUDO_USER: who.name, LANG: 'en_US.UTF-8' }, { tty: true, timeoutMs: 30_000 });
      expect(r.status, r.stdout).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.stdout).not.toContain('Enter Password');
      expect(r.stdout).toContain('primary password');
      expect(bed.trustsOwnCa(who, chromiumDb(who))).toBe(true);
      expect(bed.trustsOwnCa(who, locked)).toBe(false);
      // Not trusted there, so not "trusted everywhere": status says so and the login autostart keeps trying.
      const status = bed.asAccount(who, ['service', 'status', '--json']);
      expect(status.status, status.stderr).toBe(0);
      const trust = (JSON.parse(status.stdout) as { trust: Array<{ location: string; trusted: boolean }> }).trust;
      expect(trust).toEqual([{ location: chromiumDb(who), trusted: true }, { location: locked, trusted: false }]);
      const again = bed.login(who);
      expect(again.stdout).not.toContain('nothing to do');
    });

    it('an upgrade by an account that removed the trust leaves it removed', () => {
      const who = bed.addAccount('kysoupg');
      expect(bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], { SUDO_USER: who.name }).status).toBe(0);
      expect(bed.trustsOwnCa(who, chromiumDb(who))).toBe(true);
      expect(bed.asAccount(who, ['service', 'uninstall-ca']).status).toBe(0);
      // dpkg configures an upgrade with the version it replaces.
      const r = bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure', '0.9.0'], { SUDO_USER: who.name, LANG: 'en_US.UTF-8' });
      expect(r.status, r.stderr).toBe(0);
      expect(bed.kysoCas(chromiumDb(who))).toEqual([]);
      expect(r.stdout + r.stderr).toContain('You removed the local CA');
    });

    it('postrm: a certutil that never answers does not hold the removal, and the other accounts are still cleaned', () => {
      const stuck = bed.addAccount('kysostuck');
      const fine = bed.addAccount('kysofine');
      for (const who of [stuck, fine]) expect(bed.inNamespace(['bash', path.join(bed.t, 'postinst'), 'configure'], { SUDO_USER: who.name }).status).toBe(0);
      // certutil hangs on the stuck account's database (a dead network home), works elsewhere.
      const real = spawnSync('sh', ['-c', 'command -v certutil'], { encoding: 'utf8' }).stdout.trim();
      const shim = path.join(bed.t, 'stuck-shims');
      mkdirSync(shim, { mode: 0o755 });
      writeFileSync(path.join(shim, 'certutil'), `#!/bin/sh\ncase "$*" in *'${stuck.home}'*) exec sleep 600 ;; esac\nexec '${real}' "$@"\n`, { mode: 0o755 });
      const started = Date.now();
      const r = bed.inNamespace(['bash', path.join(bed.t, 'postrm'), 'remove'], { PATH: `${shim}:${bed.shims}:/usr/bin:/bin:/usr/sbin:/sbin` }, { timeoutMs: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(bed.kysoCas(chromiumDb(fine))).toEqual([]);
      expect(spawnSync('pgrep', ['-f', `sleep 600`]).status).not.toBe(0);
    });
  });

  describe('service install-ca --if-needed in an account', () => {
    it('a corrupted or hostile record of installed CAs: trusts anyway and writes a clean record', () => {
      const who = bed.addAccount('kysorec');
      expect(bed.asAccount(who, ['service', 'install-ca']).status).toBe(0);
      for (const text of ['{"cas":[null,1,"x",{"serial":5}]}', 'not json', '{"cas":"x","optedOut":"yes"}', JSON.stringify({ cas: [], pad: 'x'.repeat(3_000_000) })]) {
        writeFileSync(record(who), text);
        for (const lang of ['en', 'vi']) {
          const r = bed.asAccount(who, ['service', 'install-ca', '--if-needed'], { KYSO_LANG: lang });
          expect(r.status, `${text.slice(0, 40)}: ${r.stderr}`).toBe(0);
          expect(r.stderr).toBe('');
        }
        const clean = JSON.parse(readFileSync(record(who), 'utf8')) as { cas: Array<{ serial: string }>; optedOut?: boolean };
        expect(clean.cas.map((c) => c.serial)).toEqual([bed.ownCa(who).serialNumber]);
        expect(clean.optedOut).toBeUndefined();
      }
      expect(bed.trustsOwnCa(who, chromiumDb(who))).toBe(true);
    });

    it("a home Kyso cannot write in (read-only, or Kyso's folder owned by root) or a full one: a clear message in the user's language, nothing half-written", () => {
      const ro = bed.addAccount('kysoro');
      const locked = bed.addAccount('kysolocked');
      mkdirSync(path.join(locked.home, '.config'), { mode: 0o755 });
      const full = bed.addAccount('kysofull');
      const inHome = (who: Account, setup: string, lang: string) =>
        bed.inNamespace(['sh', '-c', `${setup} && exec runuser -u ${who.name} -- env -i HOME='${who.home}' PATH=/usr/bin:/bin KYSO_LANG=${lang} /opt/Kyso/kyso-command service install-ca --if-needed`]);
      const readOnly = `mount --bind '${ro.home}' '${ro.home}' && mount -o remount,bind,ro '${ro.home}'`;
      const fullHome = `mount -t tmpfs -o size=64k,uid=${full.uid},mode=0700 tmpfs '${full.home}' && dd if=/dev/zero of='${full.home}/fill' bs=1k count=62 2>/dev/null`;
      const cases: Array<[Account, string, Record<string, RegExp>]> = [
        [ro, readOnly, { en: new RegExp(`^Error: Could not write ${ro.home}: EROFS`, 'm'), vi: new RegExp(`^Lỗi: Không ghi được tệp ${ro.home}: EROFS`, 'm') }],
        [locked, 'true', { en: new RegExp(`^Error: Could not write ${locked.home}/.config: EACCES`, 'm'), vi: new RegExp(`^Lỗi: Không ghi được tệp ${locked.home}/.config: EACCES`, 'm') }],
        [full, fullHome, { en: /^Error: Disk full while writing .*; no file was left half-written\.$/m, vi: /^Lỗi: Hết dung lượng đĩa khi ghi .*; không có tệp nào bị ghi dở\.$/m }],
      ];
      for (const [who, setup, messages] of cases) {
        for (const [lang, message] of Object.entries(messages)) {
          const r = inHome(who, setup, lang);
          expect(r.status, `${who.name} ${lang}: ${r.stderr}`).toBe(1);
          expect(r.stderr, `${who.name} ${lang}`).toMatch(message);
          expect(r.stderr).not.toMatch(/ENOENT|at \w+ \(/);
        }
      }
      expect(readdirSync(ro.home)).toEqual([]);
      expect(readdirSync(path.join(locked.home, '.config'))).toEqual([]);
    });

    it("without certutil: says which package to install, in the user's language", () => {
      const who = bed.addAccount('kysonocu');
      // A PATH with what the launcher needs and no NSS tools.
      const bin = path.join(bed.t, 'no-nss-bin');
      mkdirSync(bin, { mode: 0o755 });
      for (const tool of ['dirname', 'readlink', 'id']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
      for (const [lang, text] of [['en', 'package libnss3-tools'], ['vi', 'gói libnss3-tools']]) {
        const started = Date.now();
        const r = bed.asAccount(who, ['service', 'install-ca', '--if-needed'], { PATH: bin, KYSO_LANG: lang! });
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toContain(text);
        // Said, and done: nothing keeps the command waiting (it waited 60 s per database).
        expect(Date.now() - started).toBeLessThan(5_000);
      }
    });
  });
});
