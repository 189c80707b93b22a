/**
 * Issue 8 end to end through the real `kyso` command: init a fresh token, keygen, CSR,
 * `openssl ca`, import-cert, `kyso sign` a PDF, and pdfsig (NSS trusting the test root)
 * reports the signature valid and trusted. Also expiry warnings and the inventory export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SoftHsm, SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { TestPki } from '../../bed/pki.js';
import { createNssDb } from '../../bed/nss.js';
import { run } from '../../bed/run.js';
import { runCli } from '../../../main/cli/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const urls = { ocsp: 'http://127.0.0.1:9/o', ocspRoot: 'http://127.0.0.1:9/r', issuingCer: 'http://127.0.0.1:9/i', rootCer: 'http://127.0.0.1:9/c', issuingCrl: 'http://127.0.0.1:9/l', rootCrl: 'http://127.0.0.1:9/m' };
const LABEL = 'So Tu phap';
let dir: string;
let hsm: SoftHsm;
let pki: TestPki;
const pins = { KYSO_PIN: '482916', KYSO_SO_PIN: '73920184', KYSO_NEW_PIN: '482916' };

/** Runs the `kyso` CLI in-process (its bridges are real processes) with captured output. */
async function kyso(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--lang', 'en', ...args], {
    env: { ...process.env, ...hsm.env, ...pins, KYSO_HOME: path.join(dir, 'home') },
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    isTty: false,
  });
  return { code, stdout, stderr };
}

async function ok(args: string[]): Promise<string> {
  const r = await kyso(args);
  expect(r.stderr, `kyso ${args.join(' ')}`).toBe('');
  expect(r.code).toBe(0);
  for (const p of Object.values(pins)) expect(r.stdout.includes(p)).toBe(false);
  return r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-prov-cli-'));
  hsm = new SoftHsm(path.join(dir, 'hsm'));
  pki = await TestPki.create(path.join(dir, 'pki'), urls);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const m = ['--module', SOFTHSM_MODULE];

// Each step starts a bridge process; on a loaded 2-core machine a step can take seconds.
describe('kyso token provisioning round trip', { timeout: 240_000 }, () => {
  it('init -> keygen -> csr -> openssl ca -> import-cert -> kyso sign -> pdfsig valid and trusted', async () => {
    expect(await ok(['token', 'init', ...m, '--label', LABEL, '--so-pin-env', 'KYSO_SO_PIN', '--new-pin-env', 'KYSO_NEW_PIN'])).toContain(`Token "${LABEL}" initialised`);
    const keygen = JSON.parse(await ok(['token', 'keygen', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--type', 'rsa:3072', '--label', 'Ky so 2026', '--json'])) as { keyId: string; publicKey: string };
    expect(keygen.publicKey).toContain('BEGIN PUBLIC KEY');
    const csrOut = await ok(['token', 'csr', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--key', 'Ky so 2026', '--subject', 'CN=Phạm Minh Đức,O=Sở Tư pháp tỉnh Lào Cai,C=VN', '-o', path.join(dir, 'req.pem')]);
    expect(csrOut).toContain('CN=Phạm Minh Đức');
    const issued = await pki.issue({ name: 'duc', profile: 'official', subject: [['C', 'VN'], ['CN', 'Phạm Minh Đức']], csrPath: path.join(dir, 'req.pem') });
    // A file with the key's certificate and another person's: refused as a whole, nothing stored.
    const stranger = await pki.issue({ name: 'stranger', profile: 'official', subject: [['C', 'VN'], ['CN', 'Người Lạ']] });
    writeFileSync(path.join(dir, 'two-leaves.pem'), readFileSync(issued.certPath, 'utf8') + readFileSync(stranger.certPath, 'utf8'));
    const two = await kyso(['token', 'import-cert', path.join(dir, 'two-leaves.pem'), ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN']);
    expect([two.code, two.stderr]).toEqual([1, expect.stringContaining('another end-entity certificate') as unknown as string]);
    expect(await ok(['token', 'import-cert', issued.certPath, ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN'])).toContain(`CKA_ID ${keygen.keyId}`);

    const list = JSON.parse(await ok(['token', 'list', ...m, '--json'])) as { modules: Array<{ tokens: Array<{ label: string; certificates: Array<{ keyId: string; hasPrivateKey: boolean; subject: string }> }> }> };
    const cert = list.modules[0]!.tokens.find((t) => t.label === LABEL)!.certificates[0]!;
    expect(cert).toMatchObject({ keyId: keygen.keyId, hasPrivateKey: true });

    const out = path.join(dir, 'signed.pdf');
    const sign = await kyso(['sign', path.join(root, 'test/fixtures/cong-van-mau.pdf'), '-o', out, ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--level', 'B-B', '--chain', pki.issuing.certPath]);
    expect(sign.stderr).toBe('');
    expect(sign.code).toBe(0);
    const nss = await createNssDb(path.join(dir, 'nss'), pki.root.certPath, [pki.issuing.certPath]);
    // -no-ocsp: this bed runs no OCSP responder (its AIA points at a closed port); the chain is still checked.
    const { stdout } = await run('pdfsig', ['-no-ocsp', '-nssdir', `sql:${nss}`, out]);
    const report = stdout.toString();
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('Phạm Minh Đức');
  });

  it('token list and inventory warn about a certificate expiring within 30 days; CSV export', async () => {
    const k = JSON.parse(await ok(['token', 'keygen', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--type', 'ec:p256', '--label', 'short', '--id', 'c0ffee', '--json'])) as { keyId: string };
    expect(k.keyId).toBe('c0ffee');
    await ok(['token', 'csr', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', 'c0ffee', '--subject', 'CN=Hết Hạn Sớm,C=VN', '-o', path.join(dir, 'short.pem')]);
    const issued = await pki.issue({ name: 'short', profile: 'official', subject: [['C', 'VN'], ['CN', 'Hết Hạn Sớm']], csrPath: path.join(dir, 'short.pem'), notAfter: new Date(Date.now() + 10 * 86_400_000) });
    await ok(['token', 'import-cert', issued.certPath, ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN']);
    const text = await ok(['token', 'list', ...m]);
    expect(text.match(/WARNING: certificate expires within 30 days/g)).toHaveLength(1);
    // An expired certificate is called expired, not "expires within 30 days".
    const old = JSON.parse(await ok(['token', 'keygen', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--type', 'ec:p256', '--label', 'old', '--id', 'de', '--json'])) as { keyId: string };
    await ok(['token', 'csr', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', old.keyId, '--subject', 'CN=Đã Hết Hạn,C=VN', '-o', path.join(dir, 'old.pem')]);
    const expired = await pki.issue({ name: 'old', profile: 'official', subject: [['C', 'VN'], ['CN', 'Đã Hết Hạn']], csrPath: path.join(dir, 'old.pem'), notBefore: new Date(Date.now() - 40 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    await ok(['token', 'import-cert', expired.certPath, ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN']);
    const withExpired = await ok(['token', 'list', ...m]);
    expect(withExpired.match(/WARNING: certificate has expired/g)).toHaveLength(1);
    expect(withExpired.match(/WARNING: certificate expires within 30 days/g)).toHaveLength(1);
    await ok(['token', 'delete', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', old.keyId, '--confirm', old.keyId]);
    await ok(['token', 'inventory', ...m, '--csv', '-o', path.join(dir, 'inv.csv')]);
    const csv = readFileSync(path.join(dir, 'inv.csv'), 'utf8').split('\r\n');
    expect(csv[0]!.split(',').slice(-5)).toEqual(['daysLeft', 'expiresSoon', 'hasPrivateKey', 'present', 'lastSeen']);
    const row = csv.find((l) => l.includes('c0ffee'))!;
    expect(row).toContain('Hết Hạn Sớm');
    // The subject column is quoted (it holds commas): read the last columns from the end.
    expect(row.split(',').slice(-5, -1)).toEqual(['9', 'true', 'true', 'true']);
    // Typed confirmation: the wrong one deletes nothing.
    const bad = await kyso(['token', 'delete', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', 'c0ffee', '--confirm', 'yes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('type "c0ffee" to delete');
    expect(await ok(['token', 'delete', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', 'c0ffee', '--confirm', 'c0ffee'])).toContain('Deleted 3 objects');
  });

  it('wrong SO PIN and a certificate for another key give clear CLI errors', async () => {
    writeFileSync(path.join(dir, 'so.txt'), '00000000\n');
    const r = await kyso(['token', 'unblock-pin', ...m, '--token', LABEL, '--so-pin-file', path.join(dir, 'so.txt'), '--new-pin-env', 'KYSO_NEW_PIN']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Wrong SO PIN');
    const other = await pki.issue({ name: 'other', profile: 'official', subject: [['C', 'VN'], ['CN', 'Người Khác']] });
    const imp = await kyso(['token', 'import-cert', other.certPath, ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN']);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toContain('matches no key on the token');
    expect(await ok(['token', 'unblock-pin', ...m, '--token', LABEL, '--so-pin-env', 'KYSO_SO_PIN', '--new-pin-env', 'KYSO_NEW_PIN'])).toContain('User PIN set');
  });

  it('refuses what would erase or touch the wrong objects: blank label, bad ids, a PIN too long in bytes', async () => {
    const before = await ok(['token', 'list', ...m, '--json']);
    const blank = await kyso(['token', 'init', ...m, '--label', '   ', '--so-pin-env', 'KYSO_SO_PIN']);
    expect([blank.code, blank.stderr]).toEqual([1, expect.stringContaining('label') as unknown as string]);
    // "zz" would decode to an empty CKA_ID (every CA certificate), "0a5" to "0a".
    for (const id of ['zz', '0a5']) {
      const r = await kyso(['token', 'rename', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', id, '--label', 'x']);
      expect(r.code, id).toBe(1);
      const d = await kyso(['token', 'delete', ...m, '--token', LABEL, '--pin-env', 'KYSO_PIN', '--id', id, '--confirm', id]);
      expect(d.code, id).toBe(1);
    }
    // 100 x "ế" is 300 bytes (SoftHSM2 allows 255): refused before the token is erased.
    const long = await runCli(['--lang', 'en', 'token', 'init', ...m, '--token', LABEL, '--label', 'Erased?', '--so-pin-env', 'KYSO_SO_PIN', '--new-pin-env', 'LONG_PIN'], {
      env: { ...process.env, ...hsm.env, ...pins, LONG_PIN: 'ế'.repeat(100), KYSO_HOME: path.join(dir, 'home') }, out: () => undefined, err: () => undefined, isTty: false,
    });
    expect(long).toBe(1);
    expect(await ok(['token', 'list', ...m, '--json'])).toBe(before);
  });

  it('exports and writes with clear errors: CSV defused with a BOM, -o on a folder, an unusable module', async () => {
    await ok(['token', 'inventory', ...m, '--csv', '-o', path.join(dir, 'inv2.csv')]);
    expect(readFileSync(path.join(dir, 'inv2.csv'), 'utf8').startsWith('\uFEFFmodule,')).toBe(true);
    const toDir = await kyso(['token', 'inventory', ...m, '--csv', '-o', dir]);
    expect([toDir.code, toDir.stderr]).toEqual([1, expect.stringContaining(`Could not write ${dir}`) as unknown as string]);
    const notP11 = await kyso(['token', 'keygen', '--module', '/etc/hostname', '--token', LABEL, '--pin-env', 'KYSO_PIN', '--type', 'ec:p256', '--label', 'x']);
    expect(notP11.code).toBe(1);
    expect(notP11.stderr).not.toContain('not found. Plug in');
  });
});
