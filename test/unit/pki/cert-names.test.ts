/**
 * Certificate names read the same everywhere (the one view, main/pki/cert.ts; the token listing
 * in native/token-manager.ts shows it): RFC 4514 order, Vietnamese attributes named, commas
 * escaped. The certificate comes from OpenSSL, with a comma inside O.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certView, toDer } from '../../../main/pki/cert.js';
import { certificatesOf } from '../../../native/token-manager.js';

/** The token listing of one certificate object (CKA_ID 01, its key pair present). */
const listed = (d: Uint8Array) => certificatesOf({ loggedIn: true, certificates: [{ id: '01', label: 'c', der: Buffer.from(d).toString('base64') }], privateKeys: [{ id: '01', label: 'k' }], publicKeys: [] })[0]!;

let dir: string;
let der: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-names-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-utf8', '-days', '2',
    '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
    '-subj', '/C=VN/ST=Thử Nghiệm/O=Sở Tài chính\\, tỉnh Thử Nghiệm/title=Phó Giám đốc/CN=Lê Văn Cường/UID=CCCD:001080000009',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation', '-addext', 'extendedKeyUsage=emailProtection'], { stdio: 'pipe' });
  der = toDer(readFileSync(path.join(dir, 'c.pem'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certificate names', () => {
  it('renders RFC 4514 (most specific first), names title and UID, escapes the comma in O', () => {
    const expected = 'UID=CCCD:001080000009, CN=Lê Văn Cường, title=Phó Giám đốc, O=Sở Tài chính\\, tỉnh Thử Nghiệm, ST=Thử Nghiệm, C=VN';
    expect(certView(der).subject).toBe(expected);
    expect(certView(der).commonName).toBe('Lê Văn Cường');
    expect(certView(der).subjectCn).toBe('Lê Văn Cường');
    // OpenSSL's own RFC 2253 rendering agrees, but for the space after each comma.
    const openssl = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-nameopt', 'utf8'], { encoding: 'utf8' });
    expect(openssl.replace(/^subject=/, '').trim()).toBe(expected.replace(/(?<!\\), /g, ','));
  });

  it('the token listing reads the same names, usages and key type', () => {
    const p = listed(der);
    expect(p.subject).toBe(certView(der).subject);
    expect(p.issuer).toBe(p.subject);
    expect(p.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(p.extendedKeyUsage).toEqual(['emailProtection']);
    expect(p.keyType).toBe('RSA');
    expect(p).toMatchObject({ keyId: '01', hasPrivateKey: true });
    // The serial as OpenSSL prints it (whole bytes), lower case.
    const serial = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '').toLowerCase();
    expect(p.serial).toBe(serial);
  });
});

describe('certificate extensions (pkijs)', () => {
  it('reads AIA (OCSP, caIssuers), CRL distribution points, basic constraints and key usage', () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-utf8', '-days', '2',
      '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.pem'), '-subj', '/C=VN/O=Kyso Thử Nghiệm/CN=Kyso Extension CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'authorityInfoAccess=OCSP;URI:http://ocsp.example.vn/,caIssuers;URI:http://ca.example.vn/ca.cer',
      '-addext', 'crlDistributionPoints=URI:http://ca.example.vn/ca.crl'], { stdio: 'pipe' });
    const v = certView(toDer(readFileSync(path.join(dir, 'ca.pem'), 'utf8')));
    expect(v).toMatchObject({
      commonName: 'Kyso Extension CA', isCa: true, canSignCerts: true, canSignDocuments: false,
      ocspUrls: ['http://ocsp.example.vn/'], caIssuerUrls: ['http://ca.example.vn/ca.cer'], crlUrls: ['http://ca.example.vn/ca.crl'],
    });
    // The end-entity certificate above: CA:FALSE, signing usages.
    expect(certView(der)).toMatchObject({ isCa: false, canSignCerts: false, canSignDocuments: true, ocspUrls: [], crlUrls: [] });
    expect(listed(toDer(readFileSync(path.join(dir, 'ca.pem'), 'utf8'))).keyType).toBe('EC');
  });
});
