import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatus, parseStatus, readPackage, writePackage, type PackageInput } from '../../../main/exchange/edxml/index.js';
import type { Signer } from '../../../main/pki/signer.js';
import { testSigner } from './keys.js';

let dir: string;
let rsa: Signer;
let ec: Signer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-edxml-'));
  [rsa, ec] = await Promise.all([testSigner('RSA'), testSigner('EC')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(files: { path?: string; data?: Uint8Array; name: string }[]): PackageInput {
  return {
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' },
      to: [
        { organId: '000.00.01.H49', organName: 'Sở Tài chính' },
        { organId: '000.00.02.H49', organName: 'Sở Nội vụ & Đào tạo <test>' },
      ],
      code: { codeNumber: '15', codeNotation: 'QĐ-UBND' },
      promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 2, typeName: 'Quyết định' },
      subject: 'Về việc phê duyệt kế hoạch chuyển đổi số năm 2027',
      signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
      otherInfo: { priority: 1, appendixes: ['Phụ lục I'] },
      steeringType: 1,
    },
    attachments: files.map((f, i) => ({ meta: { contentId: `att${i}`, attachmentName: f.name, contentType: 'application/pdf' }, ...(f.path ? { path: f.path } : { data: f.data! }) })),
  };
}

function pkgDir(name: string): string {
  const d = path.join(dir, name);
  rmSync(d, { recursive: true, force: true });
  return mkdtempSync(d);
}

describe('edXML package codec', () => {
  it('round-trips a signed package with RSA and with ECDSA, attachments bit-exact', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) & 0xff;
    const bigPath = path.join(dir, 'big.pdf');
    writeFileSync(bigPath, big);
    for (const signer of [rsa, ec]) {
      const file = path.join(dir, `p-${signer.keyType}.edxml`);
      const w = await writePackage(input([{ path: bigPath, name: 'quyet-dinh.pdf' }, { data: Buffer.from('%PDF-1.7 phụ lục'), name: 'Phụ lục I.pdf' }]), signer, file);
      expect(w.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      expect(w.documentId).toBe('000.00.00.H49,2026/11/22,15/QĐ-UBND');
      const out = pkgDir('rt');
      const p = await readPackage(file, { tmpDir: out });
      expect(p.header.to.map((t) => t.organName)).toEqual(['Sở Tài chính', 'Sở Nội vụ & Đào tạo <test>']);
      expect(p.header.otherInfo.priority).toBe(1);
      expect(p.header.steeringType).toBe(1);
      expect(p.bussiness.documentId).toBe(w.documentId);
      expect(p.packageSha256).toBe(w.sha256);
      expect(Buffer.from(p.signerCertificate).equals(Buffer.from(signer.certificate))).toBe(true);
      expect(p.attachments.map((a) => a.attachmentName)).toEqual(['quyet-dinh.pdf', 'Phụ lục I.pdf']);
      expect(readFileSync(p.attachments[0]!.path).equals(big)).toBe(true);
      expect(readFileSync(p.attachments[1]!.path, 'utf8')).toBe('%PDF-1.7 phụ lục');
    }
  });

  it('parses a package fed in 1-byte to odd-sized chunks identically', async () => {
    const file = path.join(dir, 'small.edxml');
    await writePackage(input([{ data: Buffer.from('hello world, xin chào'), name: 'a.pdf' }]), rsa, file);
    const bytes = readFileSync(file);
    async function* chunks(size: number) {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    for (const size of [1, 7, 4096]) {
      const p = await readPackage(chunks(size), { tmpDir: pkgDir(`c${size}`) });
      expect(readFileSync(p.attachments[0]!.path, 'utf8')).toBe('hello world, xin chào');
    }
  });

  it('rejects corrupt packages with a precise reason and leaves no file behind', async () => {
    const file = path.join(dir, 'ok.edxml');
    await writePackage(input([{ data: Buffer.from('A'.repeat(3000)), name: 'a.pdf' }]), rsa, file);
    const good = readFileSync(file, 'utf8');
    const b64Start = good.indexOf('<edXML:ContentTransferEncoded>') + '<edXML:ContentTransferEncoded>'.length;
    const cases: [string, string, string][] = [
      ['bad base64', good.slice(0, b64Start + 10) + '*!' + good.slice(b64Start + 12), 'edxmlBadBase64'],
      ['wrong digest', good.slice(0, b64Start) + 'QkJC' + good.slice(b64Start + 4), 'edxmlDigestMismatch'],
      ['envelope edited', good.replace('Về việc phê duyệt', 'Về việc hủy bỏ'), 'edxmlSignatureInvalid'],
      ['signature value broken', good.replace(/<SignatureValue>(.)/, (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`), 'edxmlSignatureInvalid'],
      ['truncated', good.slice(0, good.length - 40), 'edxmlMalformed'],
      ['bad organ id', good.replace('<edXML:OrganId>000.00.01.H49', '<edXML:OrganId>h49-bad'), 'edxmlInvalid'],
      ['bad date', good.replace('<edXML:PromulgationDate>2026/11/22', '<edXML:PromulgationDate>22/11/2026'), 'edxmlInvalid'],
      ['bad priority', good.replace('<edXML:Priority>1', '<edXML:Priority>9'), 'edxmlInvalid'],
      ['extra attachment', good.replace('</edXML:AttachmentEncoded>', '<edXML:Attachment><edXML:ContentId>x</edXML:ContentId><edXML:AttachmentName>x.pdf</edXML:AttachmentName><edXML:ContentTransferEncoded>QUJD</edXML:ContentTransferEncoded></edXML:Attachment></edXML:AttachmentEncoded>'), 'edxmlAttachmentMismatch'],
      ['doctype', good.replace('<edXML xmlns', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><edXML xmlns'), 'edxmlMalformed'],
      // An unsigned copy under the signed attachment's ContentId, put before it: only one of the two could be checked.
      ['second attachment, same ContentId', (() => {
        const a0 = good.indexOf('<edXML:Attachment>');
        const real = good.slice(a0, good.indexOf('</edXML:Attachment>') + '</edXML:Attachment>'.length);
        const forged = real.replace(/<edXML:ContentTransferEncoded>[^<]*</, `<edXML:ContentTransferEncoded>${Buffer.from('%PDF-1.7 forged').toString('base64')}<`);
        return good.slice(0, a0) + forged + good.slice(a0);
      })(), 'edxmlAttachmentMismatch'],
    ];
    for (const [name, text, code] of cases) {
      const out = pkgDir('bad');
      const copy = path.join(dir, 'copy.bin');
      const err = await readPackage([Buffer.from(text)], { tmpDir: out, copyTo: copy }).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(err?.code, name).toBe(code);
      expect(readdirSync(out), name).toEqual([]);
      expect(() => statSync(copy), name).toThrow();
    }
    const unsigned = good.replace(/<Signature [^]*<\/Signature>/, '');
    await expect(readPackage([Buffer.from(unsigned)], { tmpDir: pkgDir('u') })).rejects.toMatchObject({ code: 'edxmlUnsigned' });
  });

  it('a failure of our own disk is not blamed on the package (the inbox fetches it again later)', async () => {
    const file = path.join(dir, 'disk.edxml');
    await writePackage(input([{ data: Buffer.from('%PDF-1.7 x'), name: 'a.pdf' }]), rsa, file);
    const err = await readPackage(file, { tmpDir: path.join(dir, 'no-such-dir', 'tmp') }).then(() => undefined, (e: { code?: string; params?: Record<string, unknown> }) => e);
    expect(err?.code).toBe('fileWrite');
    expect(err?.params?.detail).toBe('ENOENT');
  });

  it('refuses to build an invalid header with the field named', async () => {
    const bad = input([]);
    bad.header.from.organId = 'UBND-QNAM';
    await expect(writePackage(bad, rsa, path.join(dir, 'x.edxml'))).rejects.toMatchObject({ code: 'edxmlInvalid', params: { field: 'MessageHeader.from.organId' } });
    const bad2 = input([]);
    bad2.header.dueDate = '2026-12-01';
    await expect(writePackage(bad2, rsa, path.join(dir, 'x.edxml'))).rejects.toMatchObject({ code: 'edxmlInvalid', params: { field: 'MessageHeader.dueDate' } });
  });

  it('enforces the envelope size limit without reading the rest', async () => {
    const file = path.join(dir, 'lim.edxml');
    await writePackage(input([{ data: Buffer.alloc(10), name: 'a.pdf' }]), rsa, file);
    await expect(readPackage(file, { tmpDir: pkgDir('l'), maxEnvelopeBytes: 500 })).rejects.toMatchObject({ code: 'edxmlTooLarge' });
    await expect(readPackage(file, { tmpDir: pkgDir('l'), maxPackageBytes: 1000 })).rejects.toMatchObject({ code: 'edxmlTooLarge' });
  });
});

describe('edXML status messages', () => {
  const base = {
    responseFor: { organId: '000.00.00.H49', code: '15/QĐ-UBND', promulgationDate: '2026/11/22', documentId: '000.00.00.H49,2026/11/22,15/QĐ-UBND' },
    from: { organId: '000.00.01.H49', organName: 'Sở Tài chính' },
    timestamp: '2026/11/22 09:15:02',
  };

  it('builds, verifies and parses 02 with its reason; tampering breaks it', async () => {
    const xml = await buildStatus({ ...base, statusCode: '02', description: 'Không đúng thẩm quyền', staffInfo: { staff: 'Trần Thị B' } }, ec);
    const s = await parseStatus(xml);
    expect(s.shape).toBe('messageHeader');
    expect(s.statusCode).toBe('02');
    expect(s.description).toBe('Không đúng thẩm quyền');
    expect(s.staffInfo?.staff).toBe('Trần Thị B');
    await expect(parseStatus(xml.replace('Không đúng thẩm quyền', 'Đồng ý'))).rejects.toMatchObject({ code: 'edxmlSignatureInvalid' });
  });

  it('requires a reason for 02 and a known code', async () => {
    await expect(buildStatus({ ...base, statusCode: '02' }, rsa)).rejects.toMatchObject({ code: 'exStatusReasonRequired' });
    await expect(buildStatus({ ...base, statusCode: '07' as '01' }, rsa)).rejects.toMatchObject({ code: 'edxmlInvalid' });
  });
});
