/**
 * `kyso edxml show` and `kyso edxml verify` on the field fixtures and on Kyso's own package:
 * what they print in Vietnamese and English, the JSON, and verify's exit status per verdict.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { writePackage } from '../../../main/exchange/edxml/index.js';
import { testSigner } from './keys.js';

const FIX = 'test/fixtures/edxml';
let dir: string;
let kysoPkg: string;

async function kyso(argv: string[], lang: 'vi' | 'en' = 'vi') {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', lang, ...argv], { env: { KYSO_HOME: dir }, out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-edxml-cli-'));
  kysoPkg = path.join(dir, 'kyso.edxml');
  await writePackage({
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }, to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
      code: { codeNumber: '7', codeNotation: 'CV-UBND' }, promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: 'Về việc báo cáo', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
    },
    attachments: [{ meta: { contentId: 'a', attachmentName: 'a.pdf' }, data: Buffer.from('%PDF-1.7\n%%EOF\n') }],
  }, await testSigner('EC', 'Văn thư Kyso'), kysoPkg);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kyso edxml', () => {
  it('answers --help in both languages, for the command and each subcommand; usage errors exit 2', async () => {
    for (const argv of [['edxml', '--help'], ['edxml', 'show', '--help'], ['edxml', 'verify', '-h']]) {
      const vi = await kyso(argv);
      const en = await kyso(argv, 'en');
      expect(vi.code, argv.join(' ')).toBe(0);
      expect(vi.out).toMatch(/^Cách dùng: kyso edxml/);
      expect(en.out).toMatch(/^Usage: kyso edxml/);
    }
    expect((await kyso(['edxml', 'verify', '--help'], 'en')).out).toContain('Exit status: 0 valid, 1 invalid, 2 unsigned, 3 not a readable edXML file, 4 valid but with a weak legacy algorithm (SHA-1).');
    expect((await kyso(['--help'])).out).toMatch(/edxml\s+Xem và kiểm tra chữ ký gói edXML/);
    expect(await kyso(['edxml'])).toMatchObject({ code: 2 });
    expect(await kyso(['edxml', 'show'], 'en')).toMatchObject({ code: 2, err: expect.stringContaining('No edXML file') });
    expect(await kyso(['edxml', 'show', '--nope', 'x'], 'en')).toMatchObject({ code: 2, err: expect.stringContaining('--nope') });
  });

  it('show: an unsigned field package is shown as unsigned, with its notes, business block and attachments', async () => {
    const vi = await kyso(['edxml', 'show', `${FIX}/field-unprefixed-foreign-signature.edxml`]);
    expect(vi.code).toBe(0);
    expect(vi.out).toContain('Chữ ký số gói tin: Không ký số\n');
    expect(vi.out).toContain('không thuộc không gian tên XML-DSig');
    expect(vi.out).toContain('Nơi gửi: Cổng trục liên thông (hệ thống thử nghiệm) (vxp.saas.03, mã hệ thống trên trục)');
    expect(vi.out).toContain('Mã văn bản (DocumentId): 5f0c2a6e-8d1b-4c3e-9a47-2b9e61d0c7aa (dạng mã định danh riêng (UUID))');
    expect(vi.out).toContain('Nghiệp vụ (Bussiness): Thay thế (3); lý do: Thay thế văn bản gửi nhầm ngày 31/3; Phạm Thị Mẫu');
    expect(vi.out).not.toMatch(/Chữ ký số gói tin: Hợp lệ/);
    const en = await kyso(['edxml', 'show', `${FIX}/field-unprefixed-foreign-signature.edxml`], 'en');
    expect(en.out).toContain('Package signature: Unsigned\n');
  });

  it('show --json: header, traces, business block, attachments with size and SHA-256 of the decoded bytes', async () => {
    const file = `${FIX}/field-rsa-sha1-prefix-out-of-scope.edxml`;
    const r = await kyso(['edxml', 'show', file, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // The attachment's digest, computed apart from Kyso: base64 between the tags, decoded by Node.
    const b64 = /<edXML:ContentTransferEncoded>([^<]*)</.exec(readFileSync(file, 'utf8'))![1]!.replace(/\s+/g, '');
    const bytes = Buffer.from(b64, 'base64');
    expect(j).toMatchObject({
      file, kind: 'package',
      signature: { state: 'valid-weak-algorithm', algorithm: 'RSA-SHA1', weak: ['RSA-SHA1', 'SHA-1'], signer: { commonName: 'Văn thư thử nghiệm (fixture edXML)' } },
      package: {
        documentIdForm: 'structured', fromForm: 'qd20', header: { subject: 'V/v phối hợp tổ chức Ngày hội văn hóa các dân tộc năm 2026' },
        attachments: [{ name: '1234-UBND-VX.pdf', declaredType: 'application/pdf', detectedType: 'application/pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
      },
      traces: [{ organId: '000.00.00.H41' }, { organId: '000.00.00.G22' }],
      bussiness: { bussinessDocType: 2 },
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
    });
  });

  it('show: a status message, its code, description, sender and what it answers', async () => {
    const r = await kyso(['edxml', 'show', `${FIX}/status-library-shape.xml`], 'en');
    expect(r.out).toContain('Kind: edXML status message, MessageHeader shape (national edXML library)');
    expect(r.out).toContain('Status code: 01 — Arrived');
    expect(r.out).toContain('Description: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý');
    expect(r.out).toContain('From: UBND tỉnh Quảng Nam (000.00.00.H49, QĐ 20/2020 code)');
    expect(r.out).toContain('In response to: 000.00.00.H41,2026/03/05,1234/UBND-VX');
  });

  it('verify: exit status by verdict', async () => {
    const tampered = path.join(dir, 'tampered.edxml');
    writeFileSync(tampered, readFileSync(`${FIX}/field-rsa-sha1-prefix-out-of-scope.edxml`, 'latin1').replace('<edXML:Mobile>0912000000', '<edXML:Mobile>0912000001'), 'latin1');
    const cases: Array<[string, number, RegExp]> = [
      [kysoPkg, 0, /: Hợp lệ\n/],
      [`${FIX}/field-mime-mismatch-no-manifest.edxml`, 0, /: Hợp lệ\n/],
      [tampered, 1, /: Không hợp lệ\n {2}Lý do: .*the package was modified after signing/],
      [`${FIX}/field-unprefixed-foreign-signature.edxml`, 2, /: Không ký số\n/],
      [`${FIX}/status-messagestatus-unsigned.xml`, 2, /: Không ký số\n/],
      [`${FIX}/field-rsa-sha1-prefix-out-of-scope.edxml`, 4, /: Hợp lệ, nhưng dùng thuật toán cũ, yếu \(RSA-SHA1, SHA-1\)\n/],
      [`${FIX}/status-library-shape.xml`, 4, /thuật toán cũ, yếu/],
    ];
    for (const [file, code, text] of cases) {
      const r = await kyso(['edxml', 'verify', file]);
      expect(r.code, file).toBe(code);
      expect(r.out, file).toMatch(text);
    }
    expect(await kyso(['edxml', 'verify', `${FIX}/README.md`])).toMatchObject({ code: 3, err: expect.stringContaining('Gói edXML không đúng cấu trúc') });
    expect(await kyso(['edxml', 'verify', path.join(dir, 'missing.edxml')], 'en')).toMatchObject({ code: 3, err: expect.stringContaining('File not found') });
    const j = JSON.parse((await kyso(['edxml', 'verify', kysoPkg, '--json'])).out);
    expect(j.signature).toMatchObject({ state: 'valid', profile: 'kyso', algorithm: 'ECDSA-SHA256', signer: { commonName: 'Văn thư Kyso' } });
  });
});
