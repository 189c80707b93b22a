/** main/files/doc-types.ts: sniffing, stored names and extensions, display names (issue 15.2). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanName, mimeOfExt, storedExtension, storedFileName, visibleName } from '../../../main/files/doc-types.js';
import { sniffFamily } from '../../../main/files/sniff.js';

const pdf = readFileSync('test/fixtures/cong-van-mau.pdf').subarray(0, 4096);
const b = (s: string) => Buffer.from(s);

describe('document types', () => {
  it('sniffs families from bytes, and nothing for programs or binary noise', () => {
    expect(sniffFamily(pdf)).toBe('pdf');
    expect(sniffFamily(Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toBe('ole');
    expect(sniffFamily(b('PK\x03\x04....'))).toBe('zip');
    expect(sniffFamily(Buffer.from('ffd8ffe0', 'hex'))).toBe('jpeg');
    expect(sniffFamily(Buffer.from('89504e470d0a1a0a', 'hex'))).toBe('png');
    expect(sniffFamily(b('II*\0'))).toBe('tiff');
    expect(sniffFamily(b('\uFEFF  <?xml version="1.0"?><a/>'))).toBe('xml');
    expect(sniffFamily(b('Kính gửi: Sở Tài chính\r\n'))).toBe('text');
    expect(sniffFamily(b('MZ\x90\0\x03\0'))).toBeNull();
    expect(sniffFamily(b('\x7fELF\x02\x01'))).toBeNull();
    expect(sniffFamily(Buffer.from('4c0000000114020000000000c000000000000046', 'hex'))).toBeNull();
    // A UTF-8 character cut at the end of the sniffed window is still text.
    expect(sniffFamily(Buffer.from('Quyết', 'utf8').subarray(0, 4))).toBe('text');
  });

  it('stores under the extension the bytes prove, narrowed by name then MIME type', () => {
    expect(storedExtension(pdf, 'x.pdf.exe', 'application/x-msdownload')).toBe('pdf');
    expect(storedExtension(b('PK\x03\x04'), 'bang.xlsx', 'application/zip')).toBe('xlsx');
    expect(storedExtension(b('PK\x03\x04'), 'bang', 'application/vnd.oasis.opendocument.text')).toBe('odt');
    expect(storedExtension(b('PK\x03\x04'), 'macro.docm', '')).toBe('zip');
    expect(storedExtension(Buffer.from('d0cf11e0a1b11ae1', 'hex'), 'so.xls', '')).toBe('xls');
    expect(storedExtension(Buffer.from('d0cf11e0a1b11ae1', 'hex'), 'setup.msi', 'application/x-msi')).toBe('bin');
    expect(storedExtension(b('<html><script>x()</script>'), 'a.hta', 'application/hta')).toBe('txt');
    expect(storedExtension(b('MZ\x90\0\x03\0'), 'a.pdf', 'application/pdf')).toBe('bin');
    expect(storedExtension(Buffer.from('ffd8ff', 'hex'), 'scan.JPEG', '')).toBe('jpeg');
  });

  it('makes stored names with one extension, no hidden characters, no trailing dots or spaces', () => {
    expect(cleanName('hoa-don\u202Efdp.exe')).toBe('hoa-donfdp.exe');
    expect(cleanName('scan.pdf. . \u00a0')).toBe('scan.pdf');
    expect(storedFileName(0, 'Quyết định.pdf.exe', 'bin')).toBe('01-Quyết định_pdf.bin');
    expect(storedFileName(1, '..\\..\\a:b*c?.pdf', 'pdf')).toBe('02-a_b_c_.pdf');
    expect(storedFileName(2, '....', 'pdf')).toBe('03-tep.pdf');
    expect(storedFileName(3, 'CON', 'txt')).toBe('04-CON.txt');
    expect([...storedFileName(4, 'ả'.repeat(300) + '.pdf', 'pdf')].length).toBe('05-'.length + 100 + '.pdf'.length);
  });

  it('shows the real name with hidden characters made visible', () => {
    expect(visibleName('hoa-don\u202Efdp.exe')).toBe('hoa-don⟨U+202E⟩fdp.exe');
    expect(visibleName('a\u200Bb \u0007.pdf  ')).toBe('a⟨U+200B⟩b ⟨U+0007⟩.pdf␠␠');
    expect(visibleName('Quyết định số 15.pdf')).toBe('Quyết định số 15.pdf');
  });

  it('declares the MIME type of a file Kyso sends from the same table', () => {
    expect(mimeOfExt('/x/Quyết định.PDF')).toBe('application/pdf');
    expect(mimeOfExt('a.docx')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(mimeOfExt('a.exe')).toBe('application/octet-stream');
  });
});
