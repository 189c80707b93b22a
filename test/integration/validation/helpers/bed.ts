/**
 * The validation test bed: test/bed's OpenSSL PKI (root -> issuing CA), its loopback OCSP/TSA/
 * CRL server, signer certificates in every state (good, revoked, expired, untrusted) and a
 * two-page base PDF made by pdf-lib.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { TestPki, type IssuedCert } from '../../../bed/pki.js';
import { Responders } from '../../../bed/responders.js';
import { BedServer } from '../../../bed/server.js';
import { run } from '../../../bed/run.js';

/** Everything a validation test needs. */
export interface ValidationBed {
  dir: string;
  pki: TestPki;
  server: BedServer;
  responders: Responders;
  rootPem: Buffer;
  chainFile: string;
  good: IssuedCert;
  second: IssuedCert;
  revoked: IssuedCert;
  expired: IssuedCert;
  /** Self-signed signer no anchor trusts. */
  untrusted: { certPath: string; keyPath: string };
  tsa: (q: Buffer) => Promise<Buffer>;
  ocspFor(cert: IssuedCert): Promise<Buffer>;
  /** CRLs of the issuing CA and of the root (DER). */
  crls(): Buffer[];
  close(): Promise<void>;
}

/** Two pages of text, saved with a classic xref table. */
export async function basePdf(text = 'Quyết định số 15/QĐ-UBND'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= 2; i++) {
    const p = doc.addPage([595, 842]);
    p.drawText(`${text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd')} - page ${i}`, { x: 50, y: 780, size: 14, font });
    p.drawText('Amount: 1,000,000 VND', { x: 50, y: 740, size: 12, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** Creates the bed in a temp dir (PKI, server, certificates). */
export async function createValidationBed(): Promise<ValidationBed> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vbed-'));
  const server = await BedServer.start();
  const u = server.url;
  const pki = await TestPki.create(path.join(dir, 'pki'), {
    ocsp: `${u}/ocsp`,
    ocspRoot: `${u}/ocsp/root`,
    issuingCer: `${u}/ca/issuing.cer`,
    rootCer: `${u}/ca/root.cer`,
    issuingCrl: `${u}/crl/issuing.crl`,
    rootCrl: `${u}/crl/root.crl`,
  });
  const subject = (cn: string): [string, string][] => [['C', 'VN'], ['O', 'UBND Tỉnh Thử Nghiệm'], ['CN', cn]];
  const [good, second, revoked, expired, ocspCert, tsaCert] = await Promise.all([
    pki.issue({ name: 'good', profile: 'official', subject: subject('Nguyễn Văn An') }),
    pki.issue({ name: 'second', profile: 'official', subject: subject('Trần Thị Bình') }),
    pki.issue({ name: 'revoked', profile: 'official', subject: subject('Lê Văn Cường') }),
    pki.issue({ name: 'expired', profile: 'official', subject: subject('Phạm Thị Dung'), notBefore: new Date('2021-01-01T00:00:00Z'), notAfter: new Date('2022-01-01T00:00:00Z') }),
    pki.issue({ name: 'ocsp', profile: 'ocsp', subject: subject('Kyso Test OCSP') }),
    pki.issue({ name: 'tsa', profile: 'tsa', subject: subject('Kyso Test TSA') }),
  ]);
  await pki.revoke(revoked);
  await pki.refreshCrls();
  const responders = new Responders(pki, ocspCert, tsaCert);
  server.attach(pki, responders);
  const untrusted = { certPath: path.join(dir, 'untrusted.pem'), keyPath: path.join(dir, 'untrusted.key') };
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', untrusted.keyPath, '-out', untrusted.certPath, '-subj', '/CN=Mallory Self-Signed', '-days', '30', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation']);
  const chainFile = path.join(dir, 'chain.pem');
  await run('cp', [pki.issuing.certPath, chainFile]);
  return {
    dir,
    pki,
    server,
    responders,
    rootPem: readFileSync(pki.root.certPath),
    chainFile,
    good,
    second,
    revoked,
    expired,
    untrusted,
    tsa: (q) => responders.tsa(q),
    async ocspFor(cert) {
      const reqFile = path.join(dir, `ocsp-${cert.name}.req`);
      await run('openssl', ['ocsp', '-issuer', pki.issuing.certPath, '-cert', cert.certPath, '-no_nonce', '-reqout', reqFile]);
      return responders.ocsp(readFileSync(reqFile));
    },
    crls: () => [readFileSync(pki.issuing.crlPath), readFileSync(pki.root.crlPath)],
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
