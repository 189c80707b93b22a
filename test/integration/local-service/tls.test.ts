/**
 * The service's local CA, checked with tools Kyso did not write: OpenSSL and NSS accept the
 * service certificate for localhost, 127.0.0.1 and ::1 and refuse a certificate for any other
 * name even when the CA itself signed it (name constraints); the CA's key is nowhere on disk;
 * install-ca / uninstall-ca work on real NSS databases (Chromium's and a Firefox profile's)
 * under a temporary HOME; the Windows and macOS commands are the documented ones.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KysoError, isKysoError } from '../../../main/api/errors.js';
import { buildCa, certSerial, ensureLocalTls, issueServerCert, pem, tlsFiles } from '../../../main/local-service/tls/local-ca.js';
import { installCa, nssTrustStatus, runProgram, trustFailure, trustNeed, uninstallCa, type Runner } from '../../../main/local-service/tls/trust.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-tls-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslVerify(caFile: string, leafPem: string, check: string[]): { ok: boolean; out: string } {
  const leaf = path.join(dir, `leaf-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(leaf, leafPem);
  const r = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile, ...check, leaf], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

describe('local CA', () => {
  it('issues a service certificate OpenSSL accepts for the loopback names only', () => {
    const tls = ensureLocalTls(path.join(dir, 'a'));
    expect(tls.renewed).toBe(true);
    const f = tlsFiles(path.join(dir, 'a'));
    for (const check of [['-verify_hostname', 'localhost'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) expect(opensslVerify(f.ca, tls.certPem, check).ok).toBe(true);
    expect(opensslVerify(f.ca, tls.certPem, ['-verify_hostname', 'example.com']).ok).toBe(false);
    const text = execFileSync('openssl', ['x509', '-in', f.ca, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+IP:127\.0\.0\.1\/255\.255\.255\.255\s+IP:0:0:0:0:0:0:0:1\//);
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    // macOS refuses TLS server certificates valid for more than 825 days.
    const x = new X509Certificate(tls.certPem);
    expect((Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000).toBeLessThanOrEqual(825);
  });

  it('keeps no CA private key anywhere: only the service key, which is not the CA key', () => {
    const d = path.join(dir, 'a');
    const files = readdirSync(d).sort();
    expect(files).toEqual(['local-ca.pem', 'service-cert.pem', 'service-key.pem']);
    const f = tlsFiles(d);
    expect(readFileSync(f.ca, 'utf8')).not.toMatch(/PRIVATE KEY/);
    expect(readFileSync(f.cert, 'utf8')).not.toMatch(/PRIVATE KEY/);
    const key = createPrivateKey(readFileSync(f.key));
    const caPub = new X509Certificate(readFileSync(f.ca)).publicKey.export({ type: 'spki', format: 'der' });
    expect(createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(caPub)).toBe(false);
    // The service key is readable by the user only.
    expect(statSync(f.key).mode & 0o077).toBe(0);
    // A second start reuses the files (the browser's trust stays valid).
    expect(ensureLocalTls(d).renewed).toBe(false);
  });

  it('name constraints hold in OpenSSL and NSS: the CA key itself cannot vouch for another site', async () => {
    const ca = buildCa();
    const caFile = path.join(dir, 'nc-ca.pem');
    writeFileSync(caFile, pem('CERTIFICATE', ca.der));
    const good = issueServerCert(ca, { dns: ['localhost'], ips: ['127.0.0.1'] });
    const evil = issueServerCert(ca, { dns: ['ngan-hang.example.vn'], ips: [] });
    expect(opensslVerify(caFile, pem('CERTIFICATE', good.der), []).ok).toBe(true);
    const bad = opensslVerify(caFile, pem('CERTIFICATE', evil.der), []);
    expect(bad.ok).toBe(false);
    expect(bad.out).toMatch(/permitted subtree violation/);
    const db = path.join(dir, 'nss-nc');
    mkdirSync(db);
    execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'ca', '-t', 'C,,', '-i', caFile]);
    for (const [nick, der] of [['good', good.der], ['evil', evil.der]] as const) {
      const f = path.join(dir, `${nick}.der`);
      writeFileSync(f, der);
      execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', nick, '-t', ',,', '-i', f]);
    }
    expect(spawnSync('certutil', ['-V', '-d', `sql:${db}`, '-n', 'good', '-u', 'V'], { encoding: 'utf8' }).stdout).toContain('certificate is valid');
    const v = spawnSync('certutil', ['-V', '-d', `sql:${db}`, '-n', 'evil', '-u', 'V'], { encoding: 'utf8' });
    expect(v.stdout + v.stderr).not.toContain('certificate is valid');
  });
});

describe('install-ca / uninstall-ca', () => {
  it('trusts the CA in Chromium\'s NSS db (created when missing) and every Firefox profile, then removes it, renewals included', async () => {
    const home = path.join(dir, 'home');
    const profile = path.join(home, '.mozilla', 'firefox', 'abcd.default-release');
    mkdirSync(profile, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
    const state = path.join(dir, 'state');
    const first = ensureLocalTls(path.join(dir, 'b'));
    const caFile = tlsFiles(path.join(dir, 'b')).ca;
    const r1 = await installCa(caFile, state, { home, platform: 'linux' });
    expect(r1.map((r) => [r.location, r.ok])).toEqual([[path.join(home, '.pki', 'nssdb'), true], [profile, true]]);
    expect((await nssTrustStatus(caFile, { home })).every((s) => s.trusted)).toBe(true);
    const listed = execFileSync('certutil', ['-L', '-d', `sql:${path.join(home, '.pki', 'nssdb')}`], { encoding: 'utf8' });
    expect(listed, listed).toMatch(new RegExp(`${first.caName}\\s+C,,`));
    // A renewal makes another CA; both are installed, uninstall removes both.
    const second = path.join(dir, 'c');
    ensureLocalTls(second);
    await installCa(tlsFiles(second).ca, state, { home, platform: 'linux' });
    const r2 = await uninstallCa(state, { home, platform: 'linux' });
    expect(r2.every((r) => r.ok)).toBe(true);
    for (const db of [path.join(home, '.pki', 'nssdb'), profile]) expect(execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' })).not.toContain('Kyso Local Signing CA');
  });

  it('uses certutil -user on Windows and security on macOS (commands as documented)', async () => {
    const calls: Array<[string, string[]]> = [];
    const run: Runner = async (cmd, args) => {
      calls.push([cmd, args]);
      return { code: 0, stdout: '', stderr: '' };
    };
    const home = path.join(dir, 'empty-home');
    mkdirSync(home, { recursive: true });
    const caFile = tlsFiles(path.join(dir, 'b')).ca;
    const serial = new X509Certificate(readFileSync(caFile)).serialNumber;
    await installCa(caFile, path.join(dir, 'win-state'), { home, platform: 'win32', run });
    await uninstallCa(path.join(dir, 'win-state'), { home, platform: 'win32', run });
    expect(calls.map(([c, a]) => [path.basename(c.replace(/\\/g, '/')), a])).toEqual([
      ['certutil.exe', ['-user', '-f', '-addstore', 'Root', caFile]],
      ['certutil.exe', ['-user', '-delstore', 'Root', serial]],
    ]);
    calls.length = 0;
    const sha1 = new X509Certificate(readFileSync(caFile)).fingerprint.replace(/:/g, '');
    await installCa(caFile, path.join(dir, 'mac-state'), { home, platform: 'darwin', run });
    await uninstallCa(path.join(dir, 'mac-state'), { home, platform: 'darwin', run });
    const keychain = path.join(home, 'Library', 'Keychains', 'login.keychain-db');
    expect(calls[0]).toEqual(['/usr/bin/security', ['add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', keychain, caFile]]);
    expect(calls[1]![1][0]).toBe('remove-trusted-cert');
    expect(calls[2]).toEqual(['/usr/bin/security', ['delete-certificate', '-Z', sha1, keychain]]);
  });

  it('install-ca --if-needed: trusts a new CA or a store that lost it, leaves a trusted one, respects an account that removed it', async () => {
    const home = path.join(dir, 'need-home');
    mkdirSync(home, { recursive: true });
    const svc = path.join(dir, 'need-svc');
    ensureLocalTls(svc);
    const caFile = tlsFiles(svc).ca;
    const linux = { home, platform: 'linux' as const };
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
    await installCa(caFile, svc, linux);
    expect(await trustNeed(caFile, svc, linux)).toBe('trusted');
    // A Firefox profile created since: that database does not trust it yet.
    const profile = path.join(home, '.mozilla', 'firefox', 'new.default');
    mkdirSync(profile, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
    await installCa(caFile, svc, linux);
    expect(await trustNeed(caFile, svc, linux)).toBe('trusted');
    // The uninstallers remove without it being the user's choice; the user's own removal is recorded.
    await uninstallCa(svc, { ...linux, recordChoice: false });
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
    await uninstallCa(svc, linux);
    expect(await trustNeed(caFile, svc, linux)).toBe('optedOut');
    await installCa(caFile, svc, linux);
    expect(await trustNeed(caFile, svc, linux)).toBe('trusted');
    // A record that is not JSON, or not Kyso's shape, counts as nothing installed.
    writeFileSync(path.join(svc, 'installed-cas.json'), '{"cas": "x", "optedOut": "yes"');
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
    // Windows: the record is checked against the user's Root store (removed at logon by the uninstaller, or by hand).
    await installCa(caFile, svc, linux);
    const serial = new X509Certificate(readFileSync(caFile)).serialNumber;
    let inStore = true;
    const calls: string[][] = [];
    const run: Runner = async (_cmd, args) => (calls.push(args), { code: inStore ? 0 : 1, stdout: '', stderr: '' });
    expect(await trustNeed(caFile, svc, { home, platform: 'win32', run })).toBe('trusted');
    inStore = false;
    expect(await trustNeed(caFile, svc, { home, platform: 'win32', run })).toBe('needed');
    expect(calls[0]).toEqual(['-user', '-store', 'Root', serial]);
  });
});

describe('install-ca against odd stores and records', () => {
  it('a record with entries that are not Kyso\'s shape (null, numbers, strings) counts as nothing installed, and is rewritten clean', async () => {
    const home = path.join(dir, 'odd-record-home');
    mkdirSync(home, { recursive: true });
    const svc = path.join(dir, 'odd-record-svc');
    ensureLocalTls(svc);
    const caFile = tlsFiles(svc).ca;
    const linux = { home, platform: 'linux' as const };
    writeFileSync(path.join(svc, 'installed-cas.json'), '{"cas":[null,1,"x",{"serial":5},{"serial":"AB","sha1":"CDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCDCD","pem":"x"},{"serial":"-f","sha1":"../../x","pem":"x"}],"optedOut":false}');
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
    await installCa(caFile, svc, linux);
    const record = JSON.parse(readFileSync(path.join(svc, 'installed-cas.json'), 'utf8')) as { cas: Array<{ serial: string }> };
    expect(record.cas.map((c) => c.serial)).toEqual(['AB', new X509Certificate(readFileSync(caFile)).serialNumber]);
    expect(await trustNeed(caFile, svc, linux)).toBe('trusted');
    writeFileSync(path.join(svc, 'installed-cas.json'), '{"cas":[null]}');
    expect((await uninstallCa(svc, { home, platform: 'darwin', run: async () => ({ code: 0, stdout: '', stderr: '' }) })).every((r) => r.ok)).toBe(true);
  });

  it("a CA present but not trusted for websites (its trust taken away in Firefox) is not counted as trusted", async () => {
    const home = path.join(dir, 'untrusted-home');
    const db = path.join(home, '.pki', 'nssdb');
    mkdirSync(db, { recursive: true });
    const svc = path.join(dir, 'untrusted-svc');
    ensureLocalTls(svc);
    const caFile = tlsFiles(svc).ca;
    const linux = { home, platform: 'linux' as const };
    await installCa(caFile, svc, linux);
    expect(await trustNeed(caFile, svc, linux)).toBe('trusted');
    const nick = new X509Certificate(readFileSync(caFile)).subject.split('\n').find((l) => l.startsWith('CN='))!.slice(3);
    execFileSync('certutil', ['-M', '-d', `sql:${db}`, '-n', nick, '-t', ',,']);
    expect(await nssTrustStatus(caFile, { home })).toEqual([{ location: db, trusted: false }]);
    expect(await trustNeed(caFile, svc, linux)).toBe('needed');
  });

  it('a Firefox profile with a primary password: fails at once with that reason and leaves no untrusted copy; the other stores are trusted', async () => {
    const home = path.join(dir, 'pw-home');
    const locked = path.join(home, '.mozilla', 'firefox', 'locked.default');
    mkdirSync(locked, { recursive: true });
    writeFileSync(path.join(dir, 'pw.txt'), 'primary-password\n');
    execFileSync('certutil', ['-N', '-d', `sql:${locked}`, '-f', path.join(dir, 'pw.txt')]);
    const svc = path.join(dir, 'pw-svc');
    ensureLocalTls(svc);
    const caFile = tlsFiles(svc).ca;
    const results = await installCa(caFile, svc, { home, platform: 'linux' });
    expect(results.map((r) => [r.location, r.ok, r.ok ? undefined : trustFailure(r)])).toEqual([
      [path.join(home, '.pki', 'nssdb'), true, undefined],
      [locked, false, 'serviceNssPassword'],
    ]);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${locked}`], { encoding: 'utf8' })).not.toContain('Kyso Local Signing CA');
    expect((await nssTrustStatus(caFile, { home })).map((s) => s.trusted)).toEqual([true, false]);
  });

  it("Chromium's folder cannot be made (a file is in the way): that store fails, the Firefox profiles are still trusted", async () => {
    const home = path.join(dir, 'blocked-home');
    const profile = path.join(home, '.mozilla', 'firefox', 'p.default');
    mkdirSync(profile, { recursive: true });
    execFileSync('certutil', ['-N', '-d', `sql:${profile}`, '--empty-password']);
    writeFileSync(path.join(home, '.pki'), 'not a folder');
    const svc = path.join(dir, 'blocked-svc');
    ensureLocalTls(svc);
    const results = await installCa(tlsFiles(svc).ca, svc, { home, platform: 'linux' });
    expect(results.map((r) => [r.location, r.ok])).toEqual([[path.join(home, '.pki', 'nssdb'), false], [profile, true]]);
    expect(results[0]!.detail).toMatch(/ENOTDIR|EEXIST/);
  });

  it('a program that does not exist: the runner answers at once and leaves no timer keeping the process alive', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const r = await runProgram('kyso-no-such-program', []);
    expect(r).toMatchObject({ code: -1, stderr: 'kyso-no-such-program: not found' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(before);
  });
});

describe('local CA files', () => {
  it('serial numbers are positive and in DER form even when the random bytes start with zeros (OpenSSL refused 1 certificate in 256)', () => {
    for (const first of [[0x00, 0x10], [0x00, 0x00], [0x80, 0x00], [0xff, 0xff], [0x7f, 0x01]]) {
      const s = certSerial(Buffer.from([...first, ...Buffer.alloc(14, 0x55)]));
      expect(s).toHaveLength(16);
      expect(s[0]).toBeGreaterThanOrEqual(0x01);
      expect(s[0]).toBeLessThanOrEqual(0x7f);
      expect(s.subarray(1).equals(Buffer.from([first[1]!, ...Buffer.alloc(14, 0x55)]))).toBe(true);
    }
    // And every certificate made parses (a few hundred: the old way failed about one in 128 pairs).
    for (let i = 0; i < 200; i++) expect(() => new X509Certificate(buildCa().der)).not.toThrow();
  });

  it('a folder that cannot be made: a fileWrite error naming the folder in the way, no raw ENOENT', () => {
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    let error: unknown;
    try {
      ensureLocalTls(path.join(blocker, 'kyso', 'local-service'));
    } catch (e) {
      error = e;
    }
    expect(isKysoError(error) && error.code).toBe('fileWrite');
    expect((error as KysoError).params).toMatchObject({ path: path.join(blocker, 'kyso', 'local-service'), detail: 'ENOTDIR' });
  });
});
