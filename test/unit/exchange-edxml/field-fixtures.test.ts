/**
 * edXML as the field writes it: one fixture per quirk (test/fixtures/edxml, made with openssl,
 * xmlsec1 and by hand: see its README), each read with every field checked. xmlsec1 is the
 * oracle for the signatures: where it says valid, Kyso must too, and a tampered copy must be
 * invalid for both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatus, readEdxml, readPackage, type ParsedEdxml, type ParsedPackage, type ParsedStatusMessage } from '../../../main/exchange/edxml/index.js';

const FIX = 'test/fixtures/edxml';
const fixture = (name: string) => path.join(FIX, name);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-edxml-field-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads a file (or bytes fed in chunks of `chunk`) with the signature only reported. */
async function read(input: string | Buffer, chunk = 64 * 1024): Promise<ParsedEdxml> {
  const src = typeof input === 'string' ? input : (function* () {
    for (let i = 0; i < input.length; i += chunk) yield input.subarray(i, i + chunk);
  })();
  return readEdxml(src, { tmpDir: dir, discardAttachments: true, signature: 'report' });
}
const pkg = async (i: string | Buffer, chunk?: number) => (await read(i, chunk)) as ParsedPackage;

let xmlsec = true;
try {
  execFileSync('xmlsec1', ['--version']);
} catch {
  xmlsec = false;
}
/** xmlsec1's verdict on a file, with the fixture's signer certificate as the only key. */
function xmlsecVerifies(file: string): boolean {
  try {
    execFileSync('xmlsec1', ['--verify', '--pubkey-cert-pem', fixture('signer-cert.pem'), file], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('field packages', () => {
  it('default namespace on the root, prefix on the envelope, attachment block prefixed out of scope, RSA-SHA1 by xmlsec1', async () => {
    const p = await pkg(fixture('field-rsa-sha1-prefix-out-of-scope.edxml'));
    expect(p.kind).toBe('package');
    expect(p.signature).toMatchObject({ state: 'valid-weak-algorithm', profile: 'xmldsig', algorithm: 'RSA-SHA1', digests: ['SHA-1'], weak: ['RSA-SHA1', 'SHA-1'] });
    expect(p.signerCertificate?.length).toBeGreaterThan(100);
    expect(p.notes).toEqual([{ code: 'prefixOutOfScope', params: { prefix: 'edXML', element: 'AttachmentEncoded' } }]);
    expect(p.header.from).toMatchObject({ organId: '000.00.00.H41', organName: 'Văn phòng UBND tỉnh Nghệ An', organizationInCharge: 'Ủy ban nhân dân tỉnh Nghệ An', email: 'vanthu@example.gov.vn' });
    expect(p.header.to).toEqual([{ organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }]);
    expect(p.documentId).toBe('000.00.00.H41,2026/03/05,1234/UBND-VX');
    expect(p.documentIdForm).toBe('structured');
    expect(p.header).toMatchObject({
      code: { codeNumber: '1234', codeNotation: 'UBND-VX' }, promulgationInfo: { place: 'Nghệ An', promulgationDate: '2026/03/05' },
      documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, dueDate: '2026/03/20',
      signerInfo: { competence: 'KT. CHỦ TỊCH', position: 'Phó Chủ tịch', fullName: 'Lê Văn Thử' },
      otherInfo: { priority: 1, sphereOfPromulgation: 'Liên thông', typerNotation: 'NVA', promulgationAmount: 5, pageAmount: 2 },
    });
    expect(p.traces).toEqual([{ organId: '000.00.00.H41', timestamp: '2026/03/05 08:30:00' }, { organId: '000.00.00.G22', timestamp: '2026/03/05 08:31:12' }]);
    expect(p.bussiness).toEqual({
      documentId: '000.00.00.H41,2026/03/05,1234/UBND-VX', bussinessDocType: 2, bussinessDocReason: 'Cập nhật phụ lục kèm theo', paper: 0,
      staffInfo: { department: 'Phòng Hành chính - Tổ chức', staff: 'Nguyễn Thị Văn', email: 'van.nt@example.gov.vn', mobile: '0912000000' },
    });
    expect(p.attachments).toEqual([expect.objectContaining({ contentId: 'vb1234', attachmentName: '1234-UBND-VX.pdf', contentType: 'application/pdf', detectedType: 'application/pdf', size: 142 })]);
  });

  it('reads the same package fed byte by byte and in odd chunks (CRLF and references cut by chunk boundaries)', async () => {
    const bytes = readFileSync(fixture('field-rsa-sha1-prefix-out-of-scope.edxml'));
    for (const chunk of [1, 7, 333]) {
      const p = await pkg(bytes, chunk);
      expect(p.signature.state, `chunk ${chunk}`).toBe('valid-weak-algorithm');
      expect(p.attachments[0]!.size).toBe(142);
    }
  });

  it('a Signature outside the xmldsig namespace is no signature: unsigned; unprefixed attachment block; axis system id; UUID DocumentId; replacement', async () => {
    const p = await pkg(fixture('field-unprefixed-foreign-signature.edxml'));
    expect(p.signature).toEqual({ state: 'unsigned' });
    expect(p.signerCertificate).toBeUndefined();
    expect(p.notes).toEqual([{ code: 'signatureNotXmlDsig', params: { namespace: 'http://www.mic.gov.vn/TBT/QCVN_102_2016' } }]);
    expect(p.header.from).toEqual({ organId: 'vxp.saas.03', organName: 'Cổng trục liên thông (hệ thống thử nghiệm)' });
    expect(p.documentId).toBe('5f0c2a6e-8d1b-4c3e-9a47-2b9e61d0c7aa');
    expect(p.documentIdForm).toBe('opaque');
    expect(p.bussiness).toMatchObject({ bussinessDocType: 3, bussinessDocReason: 'Thay thế văn bản gửi nhầm ngày 31/3', staffInfo: { staff: 'Phạm Thị Mẫu' } });
    expect(p.attachments.map((a) => [a.contentId, a.attachmentName, a.size])).toEqual([['tb88', '88-TB-VPCP.pdf', 142]]);
    // The inbox takes it as unsigned; the server (a valid signature required) refuses it.
    await expect(readPackage(fixture('field-unprefixed-foreign-signature.edxml'), { tmpDir: dir, discardAttachments: true, signature: 'allow-unsigned' })).resolves.toMatchObject({ signature: { state: 'unsigned' } });
    await expect(readPackage(fixture('field-unprefixed-foreign-signature.edxml'), { tmpDir: dir, discardAttachments: true })).rejects.toMatchObject({ code: 'edxmlUnsigned' });
  });

  it('bytes before the XML declaration are skipped and noted when the rest is a sound package', async () => {
    const p = await pkg(fixture('field-leading-bytes.edxml'));
    expect(p.notes[0]).toEqual({ code: 'leadingBytes', params: { count: 7 } });
    expect(p.signature.state).toBe('valid-weak-algorithm');
    expect(p.documentId).toBe('000.00.00.H41,2026/03/05,1234/UBND-VX');
    // ...but not when the rest is not sound.
    const bad = Buffer.concat([Buffer.from('xx\r\n'), readFileSync(fixture('field-rsa-sha1-prefix-out-of-scope.edxml')).subarray(0, 3000)]);
    await expect(pkg(bad)).rejects.toMatchObject({ code: 'edxmlMalformed' });
    const tooMuch = Buffer.concat([Buffer.alloc(5000, 0x20), readFileSync(fixture('field-rsa-sha1-prefix-out-of-scope.edxml'))]);
    await expect(pkg(tooMuch)).rejects.toMatchObject({ code: 'edxmlMalformed', params: { reason: expect.stringContaining('4096') } });
  });

  it('a .doc declared application/zip is sniffed and noted; no manifest; RSA-SHA256 with exclusive C14N by xmlsec1', async () => {
    const p = await pkg(fixture('field-mime-mismatch-no-manifest.edxml'));
    expect(p.signature).toMatchObject({ state: 'valid', algorithm: 'RSA-SHA256', digests: ['SHA-256'] });
    expect(p.attachments).toEqual([expect.objectContaining({ attachmentName: 'Phu luc 01.doc', contentType: 'application/zip', detectedType: 'application/msword', size: 512 })]);
    expect(p.notes).toEqual(expect.arrayContaining([
      { code: 'noManifest', params: {} },
      { code: 'contentTypeMismatch', params: { contentId: 'phuluc', name: 'Phu luc 01.doc', declared: 'application/zip', detected: 'application/msword' } },
    ]));
    expect(p.bussiness).toMatchObject({ bussinessDocType: 0 });
  });
});

describe('field status messages', () => {
  it('the national library shape (fields in MessageHeader), RSA-SHA1', async () => {
    const s = await parseStatus(readFileSync(fixture('status-library-shape.xml')));
    expect(s).toMatchObject({
      kind: 'status', shape: 'messageHeader', statusCode: '01', description: 'Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý',
      timestamp: '2026/03/05 08:35:40', from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' },
      responseFor: { organId: '000.00.00.H41', code: '1234/UBND-VX', documentId: '000.00.00.H41,2026/03/05,1234/UBND-VX', promulgationDate: '2026/03/05' },
      staffInfo: { department: 'Văn thư', staff: 'Hồ Thị Nhận', email: 'nhan@example.gov.vn', mobile: '0905000000' },
      signature: { state: 'valid-weak-algorithm', algorithm: 'RSA-SHA1' },
    });
  });

  it('the MessageStatus shape rooted at the envelope, unsigned, answering an opaque id from an axis system id', async () => {
    const bytes = readFileSync(fixture('status-messagestatus-unsigned.xml'));
    const s = (await read(bytes)) as ParsedStatusMessage;
    expect(s).toMatchObject({
      kind: 'status', shape: 'messageStatus', statusCode: '02', description: 'Không đúng thẩm quyền giải quyết', from: { organId: 'vxp.saas.03' },
      responseFor: { documentId: '0b6f3c1e-4a5d-4e2b-8f7a-91c2d3e4f5a6', promulgationDate: '2026/11/22' }, signature: { state: 'unsigned' },
    });
    await expect(parseStatus(bytes)).rejects.toMatchObject({ code: 'edxmlUnsigned' });
    await expect(parseStatus(bytes, { signature: 'allow-unsigned' })).resolves.toMatchObject({ statusCode: '02' });
  });

  it('a package is not a status and a status is not a package', async () => {
    await expect(parseStatus(readFileSync(fixture('field-unprefixed-foreign-signature.edxml')), { signature: 'report' })).rejects.toMatchObject({ code: 'edxmlInvalid' });
    await expect(readPackage(fixture('status-library-shape.xml'), { tmpDir: dir, signature: 'report' })).rejects.toMatchObject({ code: 'edxmlInvalid' });
  });
});

describe.skipIf(!xmlsec && process.env.CI !== 'true')('signatures judged like xmlsec1 judges them', () => {
  const signed = ['field-rsa-sha1-prefix-out-of-scope.edxml', 'field-mime-mismatch-no-manifest.edxml', 'status-library-shape.xml'];

  it('xmlsec1 verifies every signed fixture Kyso calls valid', async () => {
    for (const f of signed) {
      expect(xmlsecVerifies(fixture(f)), f).toBe(true);
      expect((await read(fixture(f))).signature.state, f).toMatch(/^valid/);
    }
  });

  it('an attachment byte, a header field or the signature value changed: invalid for both, with the reason', async () => {
    const good = readFileSync(fixture('field-rsa-sha1-prefix-out-of-scope.edxml'), 'latin1');
    const b64 = good.indexOf('JVBERi0');
    const cases: Array<[string, string, string]> = [
      ['attachment', good.slice(0, b64) + 'JVBERi1' + good.slice(b64 + 7), 'the package was modified after signing'],
      ['header', good.replace('<edXML:Mobile>0912000000', '<edXML:Mobile>0912000001'), 'the package was modified after signing'],
      ['attachment name', good.replace('<edXML:AttachmentName>1234-UBND-VX.pdf</edXML:AttachmentName>\n    <edXML:Description>', '<edXML:AttachmentName>1234-UBND-VX.pdf</edXML:AttachmentName>\n    <edXML:Description>X'), 'the package was modified after signing'],
      ['signature value', good.replace(/<SignatureValue>(.)/, (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`), 'signature value does not verify'],
    ];
    for (const [name, text, reason] of cases) {
      const file = path.join(dir, `tampered-${name.replace(/ /g, '-')}.edxml`);
      writeFileSync(file, Buffer.from(text, 'latin1'));
      expect(xmlsecVerifies(file), name).toBe(false);
      const p = await read(file);
      expect(p.signature, name).toMatchObject({ state: 'invalid', failure: { code: 'edxmlSignatureInvalid', params: { reason } } });
      // The inbox refuses it (allow-unsigned lets only unsigned packages in).
      await expect(readPackage(file, { tmpDir: dir, discardAttachments: true, signature: 'allow-unsigned' }), name).rejects.toMatchObject({ code: 'edxmlSignatureInvalid' });
    }
  });
});
