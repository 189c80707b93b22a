/**
 * A SoftHSM2 installation with two tokens for the token-bridge tests:
 * - "Kyso Token A": RSA 2048 key + certificate (CKA_ID 01), EC P-256 key + certificate (02),
 *   and a certificate without any key (CKA_ID 0f);
 * - "Kyso Token B": RSA 2048 key + certificate (CKA_ID 11).
 * Keys are generated ON the token; certificates come from the OpenSSL test PKI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SoftHsm } from '../../bed/softhsm.js';
import { TestPki } from '../../bed/pki.js';

/** Unusual PINs so that a leak check (substring search) means something. */
export const PIN_A = '739182';
export const PIN_B = '462915';
export const SO_PIN = '58203147';
export const LABEL_A = 'Kyso Token A';
export const LABEL_B = 'Kyso Token B';

const urls = {
  ocsp: 'http://127.0.0.1:9/ocsp',
  ocspRoot: 'http://127.0.0.1:9/ocsp-root',
  issuingCer: 'http://127.0.0.1:9/issuing.cer',
  rootCer: 'http://127.0.0.1:9/root.cer',
  issuingCrl: 'http://127.0.0.1:9/issuing.crl',
  rootCrl: 'http://127.0.0.1:9/root.crl',
};

/** The prepared bed: SoftHSM2, PKI, and the certificates' PEM by CKA_ID. */
export interface TokenBed {
  dir: string;
  hsm: SoftHsm;
  pki: TestPki;
  certPem: Record<string, string>;
  cleanup(): void;
}

/** Builds the bed in a fresh temp dir. */
export async function createTokenBed(): Promise<TokenBed> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-token-'));
  const hsm = new SoftHsm(path.join(dir, 'hsm'));
  const pki = await TestPki.create(path.join(dir, 'pki'), urls);
  await hsm.initToken(LABEL_A, SO_PIN, PIN_A);
  await hsm.initToken(LABEL_B, SO_PIN, PIN_B);
  const certPem: Record<string, string> = {};
  const make = async (label: string, pin: string, id: string, type: 'rsa:2048' | 'EC:prime256v1', cn: string) => {
    const spki = await hsm.generateKey(label, pin, { type, id, keyLabel: `key-${id}` });
    const cert = await pki.issue({ name: `cert-${id}`, profile: 'official', subject: [['C', 'VN'], ['O', 'Sở Thử Nghiệm'], ['CN', cn]], publicKey: spki });
    await hsm.importCertificate(label, pin, { id, certLabel: `cert-${id}`, certPath: cert.derPath });
    return cert;
  };
  const a1 = await make(LABEL_A, PIN_A, '01', 'rsa:2048', 'Nguyễn Văn An');
  const a2 = await make(LABEL_A, PIN_A, '02', 'EC:prime256v1', 'Trần Thị Bình');
  const b1 = await make(LABEL_B, PIN_B, '11', 'rsa:2048', 'Lê Văn Cường');
  // A certificate whose key is not on the token (issued for a software key).
  const orphan = await pki.issue({ name: 'orphan', profile: 'official', subject: [['C', 'VN'], ['CN', 'Không Có Khóa']] });
  await hsm.importCertificate(LABEL_A, PIN_A, { id: '0f', certLabel: 'cert-0f', certPath: orphan.derPath });
  const { readFileSync } = await import('node:fs');
  for (const [id, c] of [['01', a1], ['02', a2], ['11', b1], ['0f', orphan]] as const) certPem[id] = readFileSync(c.certPath, 'utf8');
  return { dir, hsm, pki, certPem, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
