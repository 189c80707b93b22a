/**
 * Every glyph of a stamp keeps its text (ToUnicode), whatever the fonts of earlier stamps in
 * the same process used: fontkit caches glyph objects with the characters of their first use,
 * and "U" first met as a component of "Ủ" (while a subset was written) had none, so the next
 * stamp's "UBND" extracted as " BND".
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EmbeddedFont } from '../../../main/pdf/font.js';
import { PdfDict, PdfRef, PdfStream, type PdfObject } from '../../../main/pdf/objects.js';

/** Collects the objects a font writes, and gives back the ToUnicode CMap text. */
async function toUnicodeOf(font: EmbeddedFont): Promise<string> {
  const objs: PdfObject[] = [];
  const sink = { add: (o: PdfObject) => (objs.push(o), new PdfRef(objs.length, 0)) };
  const type0 = objs[(await font.toPdf(sink)).num - 1] as PdfDict;
  const tu = objs[(type0.get('ToUnicode') as PdfRef).num - 1] as PdfStream;
  return inflateSync(await tu.raw()).toString('latin1');
}

describe('EmbeddedFont text mapping', () => {
  it('maps U in a new subset after another subset drew Ủ (a composite using U)', async () => {
    const first = await EmbeddedFont.load('regular');
    first.encode('Ủy ban nhân dân tỉnh Quảng Ngãi');
    await toUnicodeOf(first);
    const second = await EmbeddedFont.load('regular');
    second.encode('Số: 15/QĐ-UBND');
    const cmap = await toUnicodeOf(second);
    expect(cmap).toContain('<0055>'); // U
    expect(cmap).toContain('<1ed1>'); // ố
    expect((cmap.match(/^<[0-9a-f]{4}> <[0-9a-f]+>$/gm) ?? []).length).toBe(new Set('Số: 15/QĐ-UBND').size);
  });
});
