/**
 * Certificate names read the same everywhere (main/pki/cert.ts nameToString; the token listing
 * in native/certs.ts uses it too): RFC 4514 order, Vietnamese attributes named, commas escaped.
 * The certificate comes from OpenSSL, with a comma inside O.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certInfo, toDer } from '../../../main/pki/cert.js';
import { certView } from '../../../main/pki/cert-view.js';
import { parseCertificate } from '../../../native/certs.js';

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
    expect(certInfo(der).subject).toBe(expected);
    expect(certInfo(der).commonName).toBe('Lê Văn Cường');
    // OpenSSL's own RFC 2253 rendering agrees, but for the space after each comma.
    const openssl = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-nameopt', 'utf8'], { encoding: 'utf8' });
    expect(openssl.replace(/^subject=/, '').trim()).toBe(expected.replace(/(?<!\\), /g, ','));
  });

  it('the token listing reads the same names, usages and key type', () => {
    const p = parseCertificate(der);
    expect(p.subject).toBe(certInfo(der).subject);
    expect(p.issuer).toBe(p.subject);
    expect(p.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(p.extendedKeyUsage).toEqual(['emailProtection']);
    expect(p.keyType).toBe('RSA');
    expect(p.serial).toBe(certInfo(der).serial);
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
    expect(parseCertificate(toDer(readFileSync(path.join(dir, 'ca.pem'), 'utf8'))).keyType).toBe('EC');
  });
});
