/** Issue 8 core: init, PINs, keygen on the token, CSR -> openssl ca -> import, delete/rename. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenManager } from '../../../native/token-manager.js';
import { Provisioner, inventoryCsv } from '../../../native/provisioning.js';
import { parseSubject } from '../../../native/csr.js';
import { SoftHsm, SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { TestPki } from '../../bed/pki.js';
import { run } from '../../bed/run.js';
import type { KysoError } from '../../../main/api/errors.js';

const urls = { ocsp: 'http://127.0.0.1:9/o', ocspRoot: 'http://127.0.0.1:9/r', issuingCer: 'http://127.0.0.1:9/i', rootCer: 'http://127.0.0.1:9/c', issuingCrl: 'http://127.0.0.1:9/l', rootCrl: 'http://127.0.0.1:9/m' };
const SO = '87654321';
const PIN = '135790';
let dir: string;
let hsm: SoftHsm;
let pki: TestPki;
let tm: TokenManager;
let prov: Provisioner;
const ref = { module: SOFTHSM_MODULE, label: 'Văn thư Sở' };
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: KysoError) => e.code);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-prov-'));
  hsm = new SoftHsm(path.join(dir, 'hsm'));
  pki = await TestPki.create(path.join(dir, 'pki'), urls);
  tm = new TokenManager({ modules: [SOFTHSM_MODULE], env: hsm.env });
  prov = new Provisioner(tm);
});

afterAll(async () => {
  await tm?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('token provisioning (SoftHSM2 + OpenSSL CA)', { timeout: 180_000 }, () => {
  it('initialises the blank token with a label, SO PIN and user PIN; enforces the PIN length policy', async () => {
    const blank = { module: SOFTHSM_MODULE, label: '' };
    expect(await codeOf(prov.initToken(blank, { label: ref.label, soPin: SO, userPin: '12' }))).toBe('provisionPinPolicy');
    await prov.initToken(blank, { label: ref.label, soPin: SO, userPin: PIN });
    const t = (await tm.list())[0]!.tokens.find((x) => x.label === ref.label)!;
    expect(t.flags).toMatchObject({ tokenInitialized: true, userPinInitialized: true });
    await tm.login(ref, PIN);
  });

  it('generates RSA and EC keys on the token; private keys are sensitive and not extractable', async () => {
    const rsa = await prov.generateKey(ref, { type: 'rsa:2048', label: 'ky-so-rsa', keyId: 'a1' });
    expect(rsa.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    const ec = await prov.generateKey(ref, { type: 'ec:p384', label: 'ky-so-ec' });
    expect(ec.keyId).toMatch(/^[0-9a-f]{16}$/);
    for (const id of ['a1', ec.keyId]) {
      const attrs = await prov.keyAttributes(ref, id);
      expect(attrs).toMatchObject({ found: true, extractable: false, sensitive: true, neverExtractable: true, private: true, sign: true });
    }
    // The oracle agrees: pkcs11-tool shows the public key equal to ours.
    expect((await hsm.readPublicKey(ref.label, 'a1')).equals(rsa.spki)).toBe(true);
    expect(await codeOf(prov.generateKey(ref, { type: 'rsa:2048', label: 'dup', keyId: 'a1' }))).toBe('provisionKeyIdInUse');
  });

  it('CSR with Vietnamese subject verifies with openssl; openssl ca signs it; import binds it to the key; signing works', async () => {
    // E is ASCII-only (IA5String): a Vietnamese letter there is refused, not cut to bytes.
    expect(() => parseSubject('CN=An,E=an@ubnd-hạ.vn')).toThrow(/provisionSubjectInvalid/);
    const subject = parseSubject('CN=Nguyễn Thị Hồng Nhung,OU=Văn phòng,O=Sở Nội vụ tỉnh Hà Giang,L=Hà Giang,C=VN,E=nhung@hagiang.gov.vn,UID=CCCD:001190012345');
    const csr = await prov.createCsr(ref, { key: { label: 'ky-so-rsa' }, subject });
    expect(csr.keyId).toBe('a1');
    const csrPath = path.join(dir, 'req.pem');
    writeFileSync(csrPath, csr.pem);
    const { stdout, stderr } = await run('openssl', ['req', '-in', csrPath, '-noout', '-verify', '-subject', '-nameopt', 'utf8,sep_comma_plus']);
    expect(stdout.toString() + stderr).toMatch(/verify OK/i);
    expect(stdout.toString()).toContain('CN=Nguyễn Thị Hồng Nhung');
    expect(stdout.toString()).toContain('O=Sở Nội vụ tỉnh Hà Giang');

    const issued = await pki.issue({ name: 'nhung', profile: 'official', subject: [['C', 'VN'], ['CN', 'Nguyễn Thị Hồng Nhung']], csrPath });
    // A P7B with the chain, as CAs deliver it.
    const p7b = path.join(dir, 'nhung.p7b');
    writeFileSync(path.join(dir, 'bundle.pem'), readFileSync(issued.certPath, 'utf8') + pki.chainPem());
    await run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', path.join(dir, 'bundle.pem'), '-outform', 'DER', '-out', p7b]);
    const r = await prov.importCertificate(ref, readFileSync(p7b));
    expect(r).toMatchObject({ keyId: 'a1', chain: 2 });
    const signer = await tm.getSigner(ref, { keyId: 'a1' });
    expect(signer.chain).toHaveLength(2);
    const data = Buffer.from('Quyết định bổ nhiệm');
    const sig = await signer.sign(data, 'SHA-256', 'RSA-PKCS1');
    expect(verify('sha256', data, new X509Certificate(readFileSync(issued.certPath)).publicKey, sig)).toBe(true);
  });

  it('refuses a certificate issued for a key that is not on the token', async () => {
    const other = await pki.issue({ name: 'other', profile: 'official', subject: [['C', 'VN'], ['CN', 'Người Khác']] });
    expect(await codeOf(prov.importCertificate(ref, readFileSync(other.certPath)))).toBe('provisionCertKeyMismatch');
    expect(await codeOf(prov.importCertificate(ref, Buffer.from('not a certificate')))).toBe('provisionCertUnreadable');
  });

  it('EC P-384 CSR verifies and imports (PEM)', async () => {
    const csr = await prov.createCsr(ref, { key: { label: 'ky-so-ec' }, subject: parseSubject('CN=Trần Văn Bảo,O=UBND xã Tân Lập,C=VN') });
    const csrPath = path.join(dir, 'ec.pem');
    writeFileSync(csrPath, csr.pem);
    const { stdout, stderr } = await run('openssl', ['req', '-in', csrPath, '-noout', '-verify']);
    expect(stdout.toString() + stderr).toMatch(/verify OK/i);
    const issued = await pki.issue({ name: 'bao', profile: 'official', subject: [['C', 'VN'], ['CN', 'Trần Văn Bảo']], csrPath });
    expect((await prov.importCertificate(ref, readFileSync(issued.certPath))).keyId).toBe(csr.keyId);
    const ec = await tm.getSigner(ref, { keyId: csr.keyId });
    const sig = await ec.sign(Buffer.from('x'), 'SHA-384', 'ECDSA');
    expect(verify('sha384', Buffer.from('x'), { key: new X509Certificate(readFileSync(issued.certPath)).publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
  });

  it('wrong SO PIN is a clear error; unblock with the SO PIN sets a new user PIN; change PIN works', async () => {
    expect(await codeOf(prov.setUserPin(ref, '00000000', '999999'))).toBe('provisionSoPinIncorrect');
    await prov.setUserPin(ref, SO, '246802');
    await tm.logout(ref);
    expect(await codeOf(tm.login(ref, PIN))).toMatch(/^tokenPinIncorrect/);
    await tm.login(ref, '246802');
    await prov.changePin(ref, '246802', PIN);
    expect(await codeOf(prov.changePin(ref, '246802', '111111'))).toMatch(/^tokenPinIncorrect/);
    await tm.logout(ref);
    await tm.login(ref, PIN);
  });

  it('inventory lists certificates with expiry; rename and typed-confirmation delete', async () => {
    const rows = await prov.inventory();
    expect(rows.filter((r) => r.token === ref.label).map((r) => r.keyId)).toContain('a1');
    const csv = inventoryCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('\uFEFFmodule,token,serial,keyId,subject,issuer,certSerial,notAfter,daysLeft,expiresSoon,hasPrivateKey,present,lastSeen');
    expect(csv).toContain('Nguyễn Thị Hồng Nhung');
    expect(await prov.rename(ref, { keyId: 'a1', label: 'Nhung 2026', what: 'cert' })).toBe(1);
    expect((await tm.list())[0]!.tokens.find((t) => t.label === ref.label)!.certificates.find((c) => c.keyId === 'a1')!.label).toBe('Nhung 2026');
    expect(await codeOf(prov.delete(ref, { keyId: 'a1', what: 'all', confirm: 'yes' }))).toBe('provisionConfirmMismatch');
    expect(await prov.delete(ref, { keyId: 'a1', what: 'all', confirm: 'a1' })).toBe(3);
    expect(await codeOf(tm.getSigner(ref, { keyId: 'a1' }))).toBe('tokenCertificateNotFound');
  });
});
