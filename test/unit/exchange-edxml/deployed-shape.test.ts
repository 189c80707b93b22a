/**
 * What Kyso writes is the deployed shape (namespace as default on the root and with the
 * prefix on the envelope and the attachment block, yyyy/MM/dd dates, Vietnam-time timestamps,
 * statuses in the national library's MessageHeader shape with Vietnamese descriptions), stays
 * namespace-well-formed, and every shape Kyso ever wrote is still read back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSignature, envelopeDigest, findEnvelope } from '../../../main/exchange/edxml/dsig.js';
import {
  buildStatus, EDXML_NS, formatEdxmlDate, formatEdxmlTimestamp, parseStatus, readPackage, STATUS_DESCRIPTIONS, writePackage, type PackageInput,
} from '../../../main/exchange/edxml/index.js';
import { parseXml } from '../../../main/exchange/edxml/xml.js';
import type { Signer } from '../../../main/pki/signer.js';
import { testSigner } from './keys.js';

let dir: string;
let rsa: Signer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-edxml-shape-'));
  rsa = await testSigner('RSA');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = new Date('2026-03-04T17:30:05Z'); // 00:30:05 on 5 March in Vietnam
const input: PackageInput = {
  header: {
    from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }, to: [{ organId: 'vxp.saas.03', organName: 'Bộ qua trục' }],
    code: { codeNumber: '15', codeNotation: 'QĐ-UBND' }, promulgationInfo: { place: 'Tam Kỳ', promulgationDate: formatEdxmlDate(at) },
    documentType: { type: 1, typeDetail: 2, typeName: 'Quyết định' }, subject: 'Về việc thử', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' }, dueDate: '2026/03/20',
  },
  traces: [{ organId: '000.00.00.H49', timestamp: formatEdxmlTimestamp(at) }],
  bussiness: { bussinessDocType: 1, bussinessDocReason: 'Thu hồi do sai sót' },
  attachments: [{ meta: { contentId: 'a', attachmentName: 'a.pdf' }, data: Buffer.from('%PDF-1.7\n%%EOF\n') }],
};

/** Parses with a namespace-aware parser that refuses what is not namespace-well-formed. */
function strictParse(xml: string): void {
  new DOMParser({ onError: (level, msg) => { if (level !== 'warning') throw new Error(String(msg)); } }).parseFromString(xml, 'text/xml');
}

describe('Kyso writes the deployed shape', () => {
  it('package: default namespace on the root, prefix on the envelope and the attachment block, dates and Vietnam time', async () => {
    expect(formatEdxmlTimestamp(at)).toBe('2026/03/05 00:30:05');
    const file = path.join(dir, 'p.edxml');
    await writePackage(input, rsa, file);
    const xml = readFileSync(file, 'utf8');
    expect(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NS}"><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader><edXML:MessageHeader>`)).toBe(true);
    expect(xml).toContain(`</edXML:edXMLEnvelope><edXML:AttachmentEncoded xmlns:edXML="${EDXML_NS}"><edXML:Attachment>`);
    expect(xml.trimEnd().endsWith('</edXML:AttachmentEncoded></edXML>')).toBe(true);
    expect(xml).toContain('<edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate>');
    expect(xml).toContain('<edXML:Timestamp>2026/03/05 00:30:05</edXML:Timestamp>');
    expect(xml).toContain('<edXML:BussinessDocType>1</edXML:BussinessDocType><edXML:BussinessDocReason>Thu hồi do sai sót</edXML:BussinessDocReason>');
    expect(() => strictParse(xml)).not.toThrow();
    const p = await readPackage(file, { tmpDir: dir, discardAttachments: true });
    expect(p).toMatchObject({ documentId: '000.00.00.H49,2026/03/05,15/QĐ-UBND', notes: [], signature: { state: 'valid', profile: 'kyso' }, header: { to: [{ organId: 'vxp.saas.03' }] } });
  });

  it("status: the library's MessageHeader shape, the standard description, a reason kept as written", async () => {
    const base = {
      responseFor: { organId: 'vxp.saas.03', code: '88/TB-VPCP', promulgationDate: '2026/04/01', documentId: '5f0c2a6e-8d1b-4c3e-9a47-2b9e61d0c7aa' },
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }, timestamp: formatEdxmlTimestamp(at), staffInfo: { staff: 'Hồ Thị Nhận' },
    };
    const xml = await buildStatus({ ...base, statusCode: '01' }, rsa);
    expect(xml).toMatch(new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<edXML xmlns="${EDXML_NS}"><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader><edXML:MessageHeader>` +
      '<edXML:From>.*</edXML:From><edXML:ResponseFor>.*</edXML:ResponseFor><edXML:StaffInfo>.*</edXML:StaffInfo><edXML:StatusCode>01</edXML:StatusCode>' +
      '<edXML:Description>Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý</edXML:Description><edXML:Timestamp>2026/03/05 00:30:05</edXML:Timestamp></edXML:MessageHeader><Signature '));
    expect(xml).not.toContain('MessageStatus');
    expect(() => strictParse(xml)).not.toThrow();
    for (const code of ['01', '03', '04', '05', '06', '15', '16'] as const) {
      expect((await parseStatus(await buildStatus({ ...base, statusCode: code }, rsa))).description).toBe(STATUS_DESCRIPTIONS[code]);
    }
    const rejected = await parseStatus(await buildStatus({ ...base, statusCode: '02', description: 'Không đúng thẩm quyền' }, rsa));
    expect(rejected).toMatchObject({ shape: 'messageHeader', statusCode: '02', description: 'Không đúng thẩm quyền', staffInfo: { staff: 'Hồ Thị Nhận' }, signature: { state: 'valid' } });
  });
});

describe('every shape Kyso wrote before is read back', () => {
  it('a package under an <edXML:edXML> root with the prefix declared once (the former writer)', async () => {
    const file = path.join(dir, 'old.edxml');
    await writePackage(input, rsa, file);
    const old = readFileSync(file, 'utf8')
      .replace(`<edXML xmlns="${EDXML_NS}"><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">`, `<edXML:edXML xmlns:edXML="${EDXML_NS}"><edXML:edXMLEnvelope>`)
      .replace(`<edXML:AttachmentEncoded xmlns:edXML="${EDXML_NS}">`, '<edXML:AttachmentEncoded>')
      .replace('</edXML:AttachmentEncoded></edXML>', '</edXML:AttachmentEncoded></edXML:edXML>');
    expect(old).toContain('<edXML:edXML xmlns:edXML=');
    const p = await readPackage([Buffer.from(old)], { tmpDir: dir, discardAttachments: true });
    expect(p).toMatchObject({ signature: { state: 'valid', profile: 'kyso' }, notes: [], attachments: [{ attachmentName: 'a.pdf' }] });
  });

  it('a status rooted at edXMLEnvelope with a MessageStatus element (the former writer)', async () => {
    const body = `<edXML:MessageStatus><edXML:ResponseFor><edXML:OrganId>000.00.00.H49</edXML:OrganId><edXML:Code>15/QĐ-UBND</edXML:Code><edXML:PromulgationDate>2026/11/22</edXML:PromulgationDate><edXML:DocumentId>000.00.00.H49,2026/11/22,15/QĐ-UBND</edXML:DocumentId></edXML:ResponseFor>` +
      `<edXML:From><edXML:OrganId>000.00.01.H49</edXML:OrganId><edXML:OrganName>Sở Tài chính</edXML:OrganName></edXML:From><edXML:StatusCode>03</edXML:StatusCode><edXML:Description></edXML:Description><edXML:Timestamp>2026/11/22 09:15:02</edXML:Timestamp></edXML:MessageStatus>`;
    const xml = (sig: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader>${body}${sig}</edXML:edXMLHeader></edXML:edXMLEnvelope>\n`;
    const signed = xml(await buildSignature(envelopeDigest(findEnvelope(parseXml(xml('')))), [], rsa));
    const s = await parseStatus(signed);
    expect(s).toMatchObject({ shape: 'messageStatus', statusCode: '03', description: '', from: { organId: '000.00.01.H49' }, signature: { state: 'valid', profile: 'kyso' } });
    await expect(parseStatus(signed.replace('<edXML:StatusCode>03', '<edXML:StatusCode>06'))).rejects.toMatchObject({ code: 'edxmlSignatureInvalid' });
  });
});
