/**
 * main/files/sniff.ts: the one sniffer. The edXML reader's detected type (and its
 * contentTypeMismatch notes) and the client's stored extension come from the same reading of
 * the bytes, so they cannot disagree about what a received file is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackage, writePackage, type PackageInput } from '../../../main/exchange/edxml/index.js';
import { storedExtension } from '../../../main/files/doc-types.js';
import { sniff, sniffType, typeDisagrees } from '../../../main/files/sniff.js';
import type { Signer } from '../../../main/pki/signer.js';
import { testSigner } from '../exchange-edxml/keys.js';

let dir: string;
let signer: Signer;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-sniff-'));
  signer = await testSigner('RSA');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ole = Buffer.from('d0cf11e0a1b11ae1', 'hex');
/** A PDF behind a few bytes of mail junk: PDF readers accept the header within the first KiB. */
const pdfAfterJunk = Buffer.from('X-Mailer: scan\r\n\r\n%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const bomXml = Buffer.from('\uFEFF\n  <?xml version="1.0" encoding="UTF-8"?><VanBan/>');
/** XML in a legacy Vietnamese code page: recognized as XML, but not UTF-8 text, so not opened. */
const cp1258Xml = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1258"?><a>'), Buffer.from([0xd0, 0xf2, 0x0a]), Buffer.from('</a>')]);

function pkg(files: Array<{ name: string; type: string; data: Buffer }>): PackageInput {
  return {
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' },
      to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
      code: { codeNumber: '7', codeNotation: 'CV-UBND' },
      promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 2, typeName: 'Công văn' },
      subject: 'Kiểm tra kiểu tệp',
      signerInfo: { position: 'Chánh Văn phòng', fullName: 'Trần Thị B' },
      otherInfo: { priority: 1, appendixes: [] },
      steeringType: 1,
    },
    attachments: files.map((f, i) => ({ meta: { contentId: `f${i}`, attachmentName: f.name, contentType: f.type }, data: f.data })),
  };
}

describe('one sniffer for the edXML reader and the stored files', () => {
  it('the reader detects what the client stores: a PDF after leading bytes, XML after a BOM', async () => {
    const files = [
      { name: 'to-trinh.doc', type: 'application/msword', data: pdfAfterJunk },
      { name: 'du-lieu.xml', type: 'application/pdf', data: bomXml },
      { name: 'du-lieu-2.xml', type: 'text/xml', data: bomXml },
    ];
    const file = path.join(dir, 'types.edxml');
    await writePackage(pkg(files), signer, file);
    const p = await readPackage(file, { tmpDir: mkdtempSync(path.join(dir, 'out-')) });
    expect(p.attachments.map((a) => a.detectedType)).toEqual(['application/pdf', 'application/xml', 'application/xml']);
    expect(files.map((f) => storedExtension(f.data, f.name, f.type))).toEqual(['pdf', 'xml', 'xml']);
    // The contradictions are noted; an alias of the detected type is none.
    expect(p.notes.filter((n) => n.code === 'contentTypeMismatch')).toEqual([
      { code: 'contentTypeMismatch', params: { contentId: 'f0', name: 'to-trinh.doc', declared: 'application/msword', detected: 'application/pdf' } },
      { code: 'contentTypeMismatch', params: { contentId: 'f1', name: 'du-lieu.xml', declared: 'application/pdf', detected: 'application/xml' } },
    ]);
  });

  it('recognizes more types than Kyso opens: those have no document family', () => {
    expect(sniff(Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1'))).toEqual({ family: null, mime: 'image/gif' });
    expect(sniff(Buffer.from('Rar!\x1a\x07\x00', 'latin1'))).toEqual({ family: null, mime: 'application/vnd.rar' });
    expect(sniff(cp1258Xml)).toEqual({ family: null, mime: 'application/xml' });
    expect(storedExtension(cp1258Xml, 'a.xml', 'application/xml')).toBe('bin');
    expect(sniff(Buffer.from('{\\rtf1\\ansi Kính gửi}'))).toEqual({ family: 'text', mime: 'application/rtf' });
    expect(sniff(Buffer.from('Kính gửi: Sở Tài chính'))).toEqual({ family: 'text' });
    expect(sniff(Buffer.from('MZ\x90\x00\x03\x00', 'latin1'))).toEqual({ family: null });
  });

  it('narrows containers by name for the reader, and by name then declared type for storing', () => {
    expect(sniffType(Buffer.from('PK\x03\x04'), 'Bang.XLSX')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(sniffType(Buffer.from('PK\x03\x04'), 'slides.pptx')).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
    expect(sniffType(Buffer.from('PK\x03\x04'), 'goi.zip')).toBe('application/zip');
    expect(sniffType(ole, 'setup.msi')).toBe('application/x-ole-storage');
    // Declared aliases narrow the stored type as the canonical spelling does.
    expect(storedExtension(ole, 'phu-luc', 'application/vnd.msword')).toBe('doc');
    expect(storedExtension(Buffer.from('PK\x03\x04'), 'goi', 'application/x-zip-compressed')).toBe('zip');
    expect(storedExtension(ole, 'phu-luc', 'application/x-msi')).toBe('bin');
  });

  it('a generic, aliased or container declaration is no contradiction', () => {
    expect(typeDisagrees('application/octet-stream', 'application/pdf')).toBe(false);
    expect(typeDisagrees('application/x-pdf', 'application/pdf')).toBe(false);
    expect(typeDisagrees('Application/PDF', 'application/pdf')).toBe(false);
    expect(typeDisagrees('application/zip', 'application/vnd.oasis.opendocument.text')).toBe(false);
    expect(typeDisagrees('application/zip', 'application/msword')).toBe(true);
    expect(typeDisagrees('application/pdf', undefined)).toBe(false);
  });
});
