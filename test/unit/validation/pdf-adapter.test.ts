/** The validator's bounded PDF adapter: values with positions, hostile input, revisions. */
import { describe, expect, it } from 'vitest';
import { Lexer, parseIndirect } from '../../integration/validation/helpers/pdf/parser.js';
import { PdfView, eofOffsets } from '../../integration/validation/helpers/pdf/document.js';
import { deepEqual, PdfDict, PdfFormatError, PdfName, PdfRef, PdfString, textOf } from '../../integration/validation/helpers/pdf/objects.js';
import { CheckList, parsePdfDate } from '../../../main/validation/checks.js';

const noLen = (): undefined => undefined;

describe('lexer', () => {
  it('reads dictionaries, references, strings with their spans', () => {
    const src = Buffer.from('<</A 1 0 R /B [1 2.5 -3] /C (a\\(b\\)\\101) /D <48 49> /E#20F true /G null>>', 'latin1');
    const v = new Lexer(src).value() as PdfDict;
    expect(v.get('A')).toEqual(new PdfRef(1, 0));
    expect(v.get('B')).toEqual([1, 2.5, -3]);
    expect((v.get('C') as PdfString).bytes.toString('latin1')).toBe('a(b)A');
    const d = v.get('D') as PdfString;
    expect(d.bytes.toString()).toBe('HI');
    expect(src.toString('latin1', d.start, d.end)).toBe('<48 49>');
    expect(v.get('E F')).toBe(true);
    expect(v.get('G')).toBeNull();
  });

  it('decodes UTF-16BE text strings', () => {
    expect(textOf(new PdfString(Buffer.from('feff004e01b0', 'hex'), true, 0, 0))).toBe('Nư');
  });

  it('rejects hostile input with PdfFormatError, never a stack overflow', () => {
    for (const s of ['['.repeat(100_000), '<<'.repeat(50_000), '(unterminated', '<zz>', '<</A>>>>', ')']) {
      expect(() => new Lexer(Buffer.from(s, 'latin1')).value()).toThrow(PdfFormatError);
    }
  });

  it('stream with a wrong or huge /Length falls back to endstream', () => {
    const src = Buffer.from('1 0 obj\n<</Length 99999999999>>\nstream\nabc\nendstream\nendobj\n', 'latin1');
    const o = parseIndirect(src, 0, noLen);
    expect((o.value as { data: Buffer }).data.toString()).toBe('abc');
  });

  it('deepEqual ignores positions but not content', () => {
    const a = new Lexer(Buffer.from('<</A [1 /N (x)]>>')).value();
    const b = new Lexer(Buffer.from('   <</A [1 /N (x)]>>')).value();
    const c = new Lexer(Buffer.from('<</A [1 /N (y)]>>')).value();
    expect(deepEqual(a, b)).toBe(true);
    expect(deepEqual(a, c)).toBe(false);
    expect(deepEqual(new PdfName('A'), new PdfName('A'))).toBe(true);
  });
});

describe('PdfView', () => {
  const pdf = (objs: string[], trailer = ''): Buffer => {
    let out = '%PDF-1.7\n';
    const offs: number[] = [];
    objs.forEach((o, i) => {
      offs.push(out.length);
      out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    });
    const x = out.length;
    out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offs.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<</Size ${objs.length + 1} /Root 1 0 R${trailer}>>\nstartxref\n${x}\n%%EOF\n`;
    return Buffer.from(out, 'latin1');
  };

  it('resolves objects and the catalog; revisions end at each %%EOF', () => {
    const b = pdf(['<</Type /Catalog /Pages 2 0 R>>', '<</Type /Pages /Kids [] /Count 0>>']);
    const v = new PdfView(b);
    expect(v.catalog().get('Type')).toEqual(new PdfName('Catalog'));
    expect(eofOffsets(b)).toEqual([b.length]);
  });

  it('detects reference cycles and /Prev loops', () => {
    const cyc = pdf(['<</Type /Catalog /Pages 2 0 R>>', '<</Length 3 0 R>>\nstream\nx\nendstream', '3 0 R']);
    const v = new PdfView(cyc);
    expect(() => v.resolve(new PdfRef(3, 0))).toThrow(PdfFormatError);
    const loop = pdf(['<</Type /Catalog>>'], ' /Prev 9');
    const at = loop.toString('latin1').indexOf('xref');
    const fixed = Buffer.from(loop.toString('latin1').replace(' /Prev 9', ` /Prev ${at}`), 'latin1');
    expect(() => new PdfView(fixed)).toThrow(/loop/);
  });

  it('an xref entry pointing at another object is refused', () => {
    const b = pdf(['<</Type /Catalog>>', '<</X 1>>']);
    const text = b.toString('latin1');
    const off1 = text.indexOf('1 0 obj');
    const swapped = Buffer.from(text.replace(/(xref\n0 3\n0000000000 65535 f \n)(\d{10}) 00000 n \n(\d{10}) 00000 n \n/, `$1$2 00000 n \n${String(off1).padStart(10, '0')} 00000 n \n`), 'latin1');
    expect(() => new PdfView(swapped).get(2)).toThrow(/points at object 1/);
  });
});

describe('checks', () => {
  it('parses PDF dates with offsets', () => {
    expect(parsePdfDate("D:20261122093000+07'00'")?.toISOString()).toBe('2026-11-22T02:30:00.000Z');
    expect(parsePdfDate('D:20261122023000Z')?.toISOString()).toBe('2026-11-22T02:30:00.000Z');
    expect(parsePdfDate('garbage')).toBeUndefined();
  });

  it('TOTAL_FAILED beats INDETERMINATE beats TOTAL_PASSED', () => {
    const c = new CheckList();
    c.add('chain', 'fail', 'noChain', { issuer: 'X' }, { indication: 'INDETERMINATE', sub: 'NO_CERTIFICATE_CHAIN_FOUND' });
    expect(c.indication()).toEqual({ indication: 'INDETERMINATE', subIndication: 'NO_CERTIFICATE_CHAIN_FOUND' });
    c.add('messageDigest', 'fail', 'digestMismatch', {}, { indication: 'TOTAL_FAILED', sub: 'HASH_FAILURE' });
    expect(c.indication()).toEqual({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    expect(new CheckList().indication().indication).toBe('TOTAL_PASSED');
  });

  it('takes each check text from the English bundle', () => {
    const c = new CheckList();
    c.add('chain', 'fail', 'noChain', { issuer: 'Some CA' });
    expect(c.list()[0]!.detail).toBe('No path from "Some CA" to a trusted root');
  });
});
