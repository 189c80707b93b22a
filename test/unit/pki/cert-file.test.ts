/**
 * The one reader of certificate files (main/pki/cert-file.ts) on what CAs and admins hand out:
 * PEM bundles, DER, PKCS#7 (.p7b made by `openssl crl2pkcs7`, DER and PEM), OpenSSL's TRUSTED
 * CERTIFICATE, and garbage (a clear error in both languages). Then the callers that once had
 * readers of their own (sign --chain, verify --trust, trust add, the inbox server's anchors)
 * take the same .p7b.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../resources/locales/index.js';
import { isKysoError } from '../../../main/api/errors.js';
import { isNoCertificate, parseCertificates, readCertFile, readCertFiles } from '../../../main/pki/cert-file.js';
import { signerChain } from '../../../main/pki/chain.js';
import { addTrustFiles, trustAnchors } from '../../../main/services/verify.js';
import { loadAnchors as serverAnchors } from '../../../server/store.js';

let dir: string;
const f = (name: string) => path.join(dir, name);
const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
/** DER of the PEM certificate files, as OpenSSL itself converts them. */
const opensslDer = (name: string) => ssl(['x509', '-in', f(name), '-outform', 'DER']);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-certfile-'));
  // root -> issuing -> leaf, all made by openssl.
  ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('root.key'), '-out', f('root.pem'), '-subj', '/C=VN/CN=Gốc Thử', '-utf8', '-days', '10',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(f('leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  ssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('issuing.key'), '-out', f('issuing.csr'), '-subj', '/C=VN/CN=Issuing Thử', '-utf8']);
  ssl(['x509', '-req', '-in', f('issuing.csr'), '-CA', f('root.pem'), '-CAkey', f('root.key'), '-CAcreateserial', '-days', '10', '-extfile', f('ca.ext'), '-out', f('issuing.pem')]);
  ssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/C=VN/CN=Người Ký', '-utf8']);
  ssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('issuing.pem'), '-CAkey', f('issuing.key'), '-CAcreateserial', '-days', '10', '-extfile', f('leaf.ext'), '-out', f('leaf.pem')]);
  // A bundle with a private key block and text around the certificates, as CAs mail them.
  writeFileSync(f('bundle.pem'), `Subject: issuing\n${readFileSync(f('issuing.pem'), 'utf8')}\n${readFileSync(f('leaf.key'), 'utf8')}Subject: root\n${readFileSync(f('root.pem'), 'utf8')}`);
  writeFileSync(f('chain.pem'), readFileSync(f('issuing.pem'), 'utf8') + readFileSync(f('root.pem'), 'utf8'));
  writeFileSync(f('root.der'), opensslDer('root.pem'));
  ssl(['crl2pkcs7', '-nocrl', '-certfile', f('chain.pem'), '-outform', 'DER', '-out', f('chain.p7b')]);
  ssl(['crl2pkcs7', '-nocrl', '-certfile', f('chain.pem'), '-out', f('chain-pem.p7b')]);
  ssl(['x509', '-in', f('root.pem'), '-addtrust', 'anyExtendedKeyUsage', '-trustout', '-out', f('trusted.pem')]);
  writeFileSync(f('garbage.pem'), 'not a certificate at all\n');
  writeFileSync(f('key-only.pem'), readFileSync(f('leaf.key')));
  // A PEM block that is base64 of garbage.
  writeFileSync(f('damaged.pem'), `${readFileSync(f('root.pem'), 'utf8')}-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n`);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one reader of certificate files', () => {
  it('reads a PEM bundle in file order, skipping keys and text', () => {
    expect(readCertFile(f('bundle.pem'))).toEqual([opensslDer('issuing.pem'), opensslDer('root.pem')]);
  });

  it('reads DER, PKCS#7 (DER and PEM) and TRUSTED CERTIFICATE the same way', () => {
    const chain = [opensslDer('issuing.pem'), opensslDer('root.pem')];
    expect(readCertFile(f('root.der'))).toEqual([chain[1]]);
    expect(readCertFile(f('chain.p7b'))).toEqual(chain);
    expect(readCertFile(f('chain-pem.p7b'))).toEqual(chain);
    expect(readCertFile(f('trusted.pem'))).toEqual([chain[1]]);
    expect(readCertFiles([f('chain.p7b'), f('root.der')])).toEqual([...chain, chain[1]]);
    // The DER it returns is what node:crypto reads too.
    expect(new X509Certificate(readCertFile(f('chain.p7b'))[0]!).subject).toContain('CN=Issuing Thử');
  });

  it('refuses garbage, a PEM with no certificate and a damaged block with a clear, localized error', () => {
    for (const name of ['garbage.pem', 'key-only.pem', 'damaged.pem']) {
      let err: unknown;
      try {
        readCertFile(f(name));
      } catch (e) {
        err = e;
      }
      expect(isKysoError(err) && err.code).toBe('certFileUnreadable');
      expect(isNoCertificate(err)).toBe(true);
      const params = isKysoError(err) ? err.params : {};
      expect(t('vi', 'error.certFileUnreadable', params)).toBe(`Tệp ${f(name)} không chứa chứng thư số đọc được (PEM, DER, PKCS#7/P7B).`);
      expect(t('en', 'error.certFileUnreadable', params)).toBe(`The file ${f(name)} holds no readable certificate (PEM, DER, PKCS#7/P7B).`);
    }
    expect(() => parseCertificates(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(expect.objectContaining({ code: 'certUnreadable' }));
    expect(() => parseCertificates(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'certUnreadable' }));
    expect(t('vi', 'error.certUnreadable', { formats: 'PEM' })).toMatch(/^Không đọc được chứng thư số/);
  });

  // An AIA caIssuers answer (up to 32 MB) goes through this reader: a certificate in a PDF from
  // anyone can name the server. Each unterminated BEGIN used to be matched against the whole rest
  // of the text: 1 MB of BEGIN lines took over a minute (the bound below is a hang check with a
  // wide margin: it now takes well under a second).
  it('reads a text full of unterminated BEGIN lines in time linear in its size, and still finds the certificate', () => {
    const root = readFileSync(f('root.pem'), 'utf8');
    const lines = (label: (i: number) => string) => Array.from({ length: 40_000 }, (_, i) => `-----BEGIN ${label(i)}-----\n`).join('');
    for (const text of [root + lines(() => 'CERTIFICATE'), lines((i) => `X${i}`) + root, lines(() => 'PKCS7') + root]) {
      const started = performance.now();
      expect(parseCertificates(Buffer.from(text))).toEqual([opensslDer('root.pem')]);
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  });

  it('names a missing file, and refuses a folder or a pipe instead of blocking on it', () => {
    expect(() => readCertFile(f('absent.pem'))).toThrow(expect.objectContaining({ code: 'fileNotFound', params: { path: f('absent.pem') } }));
    mkdirSync(f('folder.pem'), { recursive: true });
    expect(() => readCertFile(f('folder.pem'))).toThrow(expect.objectContaining({ code: 'fileNotRegular' }));
    execFileSync('mkfifo', [f('fifo.pem')]);
    expect(() => readCertFile(f('fifo.pem'))).toThrow(expect.objectContaining({ code: 'fileNotRegular' }));
    expect(isNoCertificate(new Error('x'))).toBe(false);
  });
});

describe('every caller takes the same .p7b', () => {
  it('sign --chain: the signer chain is ordered from a P7B', () => {
    expect(signerChain(opensslDer('leaf.pem'), readCertFiles([f('chain.p7b')]))).toEqual([opensslDer('issuing.pem'), opensslDer('root.pem')]);
  });

  it('verify --trust and trust add: a P7B is read, garbage is trustBadFile with the file named', () => {
    const home = f('home');
    expect(trustAnchors(home, [f('chain.p7b')])).toHaveLength(2);
    expect(addTrustFiles(home, [f('chain.p7b')]).map((e) => e.subject)).toEqual(['CN=Issuing Thử, C=VN', 'CN=Gốc Thử, C=VN']);
    expect(() => trustAnchors(home, [f('garbage.pem')])).toThrow(expect.objectContaining({ code: 'trustBadFile', params: { path: f('garbage.pem') } }));
    expect(() => trustAnchors(home, [f('absent.pem')])).toThrow(expect.objectContaining({ code: 'verifyTrustFile' }));
    expect(() => addTrustFiles(home, [f('garbage.pem')])).toThrow(expect.objectContaining({ code: 'trustBadFile' }));
    expect(() => addTrustFiles(home, [f('absent.pem')])).toThrow(expect.objectContaining({ code: 'fileNotFound' }));
  });

  it('the inbox server: anchors from a P7B, a bad anchor file named', () => {
    const data = f('server');
    mkdirSync(path.join(data, 'trust'), { recursive: true });
    writeFileSync(path.join(data, 'trust', 'root.der'), readFileSync(f('root.der')));
    expect(serverAnchors(data, [f('chain-pem.p7b')])).toEqual([opensslDer('issuing.pem'), opensslDer('root.pem'), opensslDer('root.pem')]);
    expect(() => serverAnchors(data, [f('garbage.pem')])).toThrow(expect.objectContaining({ code: 'certFileUnreadable' }));
  });
});
