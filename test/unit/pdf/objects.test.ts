import { describe, expect, it } from 'vitest';
import { PdfDict, PdfName, PdfRef, PdfString, name } from '../../../main/pdf/objects.js';
import { Keyword, NeedMoreData, Parser } from '../../../main/pdf/parser.js';
import { formatNumber, serializeObject } from '../../../main/pdf/serialize.js';
import { applyPredictor, decodeFilters } from '../../../main/pdf/filters.js';
import { deflateSync } from 'node:zlib';
import { isKysoError } from '../../../main/api/errors.js';

const parse = (s: string): ReturnType<Parser['parseObject']> => new Parser(Buffer.from(s, 'latin1')).parseObject();

describe('pdf object model', () => {
  it('parses every object type', () => {
    const o = parse('<< /A 1 /B -2.5 /C .5 /D (a\\(b\\)\\n\\101) /E <48 65 6c6> /F [1 0 R true false null /N#20x] /G << /H 3 >> >>');
    expect(o).toBeInstanceOf(PdfDict);
    const d = o as PdfDict;
    expect(d.get('A')).toBe(1);
    expect(d.get('B')).toBe(-2.5);
    expect(d.get('C')).toBe(0.5);
    expect(Buffer.from((d.get('D') as PdfString).bytes).toString('latin1')).toBe('a(b)\nA');
    expect(Buffer.from((d.get('E') as PdfString).bytes).toString('latin1')).toBe('Hel`');
    const f = d.get('F') as unknown[];
    expect(f[0]).toEqual(new PdfRef(1, 0));
    expect(f.slice(1, 4)).toEqual([true, false, null]);
    expect(f[4]).toBe(name('N x'));
    expect((d.get('G') as PdfDict).get('H')).toBe(3);
  });

  it('interns names and round-trips through the serializer', () => {
    expect(PdfName.of('Type')).toBe(name('Type'));
    const src = '<</A 1/B [1 2 0 R (x\\)) <00ff>]/C/Sp#20ace/D 0.25>>';
    const out = serializeObject(parse(src));
    expect(out).toBe('<</A 1/B [1 2 0 R (x\\)) <00ff>]/C /Sp#20ace/D 0.25>>');
    expect(serializeObject(parse(out))).toBe(out);
  });

  it('writes reals without exponent', () => {
    expect(formatNumber(1e-7)).toBe('0');
    expect(formatNumber(123456789012)).toBe('123456789012');
    expect(formatNumber(0.000123)).toBe('0.000123');
    expect(formatNumber(-3.5)).toBe('-3.5');
    expect(formatNumber(1e21)).not.toMatch(/e/);
  });

  it('round-trips text strings in UTF-16BE', () => {
    const s = PdfString.text('PHÓ CHỦ TỊCH');
    expect(s.asText()).toBe('PHÓ CHỦ TỊCH');
    expect(serializeObject(s)).toMatch(/^<feff/);
  });

  it('reads integers, references and the tokens next to them exactly', () => {
    const p = new Parser(Buffer.from('007 12.5 -3 +4 123abc 1 0 R 2 65535 R 3 0 Rx 123456789012345 1234567890123456 9/N 8(s)7<00>6[5]'));
    const items: unknown[] = [];
    while (p.peek() >= 0) items.push(p.parseAny());
    expect(items).toEqual([7, 12.5, -3, 4, new Keyword('123abc'), new PdfRef(1, 0), new PdfRef(2, 65535), 3, 0, new Keyword('Rx'), 123456789012345, 1234567890123456, 9, PdfName.of('N'), 8, expect.any(PdfString), 7, expect.any(PdfString), 6, [5]]);
    // A number at the end of a window that is not the end of the file: the reader must read more.
    expect(() => new Parser(Buffer.from('[1 2 34'), 0, 0, false).parseObject()).toThrow(NeedMoreData);
    expect(() => new Parser(Buffer.from('[1 0'), 0, 0, false).parseObject()).toThrow(NeedMoreData);
    expect(new Parser(Buffer.from('42'), 0, 0, true).parseObject()).toBe(42);
  });

  it('reads content-stream operators as keywords', () => {
    const p = new Parser(Buffer.from('1 0 0 1 5 6 cm BT'));
    const items = [];
    for (let i = 0; i < 8; i++) items.push(p.parseAny());
    expect(items[6]).toEqual(new Keyword('cm'));
    expect(items[7]).toEqual(new Keyword('BT'));
  });

  it('refuses excessive nesting instead of overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    try {
      parse(deep);
      expect.unreachable();
    } catch (e) {
      expect(isKysoError(e) && e.code).toBe('pdfMalformed');
    }
  });

  it('decodes Flate with PNG Up predictor', () => {
    const rows = [Buffer.from([2, 1, 2, 3]), Buffer.from([2, 1, 1, 1])];
    const raw = deflateSync(Buffer.concat(rows));
    const parms = new PdfDict({ Predictor: 12, Columns: 3 });
    expect([...decodeFilters(raw, name('FlateDecode'), parms)]).toEqual([1, 2, 3, 2, 3, 4]);
    expect([...applyPredictor(Buffer.from([1, 5, 1, 1]), new PdfDict({ Predictor: 10, Columns: 3 }))]).toEqual([5, 6, 7]);
  });

  it('refuses unsupported filters with a clear error', () => {
    try {
      decodeFilters(Buffer.from('x'), name('JBIG2Decode'), undefined);
      expect.unreachable();
    } catch (e) {
      expect(isKysoError(e) && e.code).toBe('pdfUnsupportedFilter');
    }
  });
});
