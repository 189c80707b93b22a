/** External oracle: xmlsec1 (libxmlsec1) verifies Kyso's XML-DSig over edXML envelopes. */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatus, writePackage } from '../../../main/exchange/edxml/index.js';
import { testSigner } from './keys.js';

let xmlsec = true;
try {
  execFileSync('xmlsec1', ['--version']);
} catch {
  xmlsec = false;
  console.warn('xmlsec1 is not installed (apt package xmlsec1): the XML-DSig external oracle test is skipped.');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-xmlsec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs xmlsec1 --verify with the certificate as the only key; true when it says OK. */
function verifies(file: string, certPem: string): boolean {
  const pem = path.join(dir, 'cert.pem');
  writeFileSync(pem, certPem);
  try {
    execFileSync('xmlsec1', ['--verify', '--pubkey-cert-pem', pem, file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

// In CI the oracle is required: a missing xmlsec1 fails the run instead of skipping silently.
describe.skipIf(!xmlsec && process.env.CI !== 'true')('XML-DSig checked by xmlsec1', () => {
  it('accepts status messages signed with RSA and ECDSA and rejects a tampered one', async () => {
    for (const kind of ['RSA', 'EC'] as const) {
      const signer = await testSigner(kind);
      const pem = new X509Certificate(Buffer.from(signer.certificate)).toString();
      const xml = await buildStatus(
        {
          responseFor: { organId: '000.00.00.H49', code: '15/QĐ-UBND', promulgationDate: '2026/11/22', documentId: '000.00.00.H49,2026/11/22,15/QĐ-UBND' },
          from: { organId: '000.00.01.H49', organName: 'Sở Tài chính' }, statusCode: '02', description: 'Không đúng thẩm quyền', timestamp: '2026/11/22 09:15:02',
        },
        signer,
      );
      const file = path.join(dir, `st-${kind}.xml`);
      writeFileSync(file, xml);
      expect(verifies(file, pem), kind).toBe(true);
      writeFileSync(file, xml.replace('Không đúng thẩm quyền', 'Đồng ý'));
      expect(verifies(file, pem), `${kind} tampered`).toBe(false);
    }
  });

  it('accepts the envelope signature of a package (enveloped + XPath transforms)', async () => {
    const signer = await testSigner('RSA');
    const file = path.join(dir, 'pkg.edxml');
    await writePackage(
      {
        header: {
          from: { organId: '000.00.00.H49', organName: 'UBND tỉnh' }, to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
          code: { codeNumber: '7', codeNotation: 'CV-UBND' }, promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
          documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: 'Về việc báo cáo số liệu', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
        },
        attachments: [],
      },
      signer,
      file,
    );
    expect(verifies(file, new X509Certificate(Buffer.from(signer.certificate)).toString())).toBe(true);
  });
});
