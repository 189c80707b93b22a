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
import { buildCa, ensureLocalTls, issueServerCert, pem, tlsFiles } from '../../../main/local-service/tls/local-ca.js';
import { installCa, nssTrustStatus, trustNeed, uninstallCa, type Runner } from '../../../main/local-service/tls/trust.js';

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
