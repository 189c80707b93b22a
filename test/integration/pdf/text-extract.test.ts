import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { EmbeddedFont } from '../../../main/pdf/font.js';
import { textOps, wrapText } from '../../../main/pdf/text-layout.js';
import { findAnchor, findText } from '../../../main/pdf/text-extract.js';
import { PdfDict, PdfStream } from '../../../main/pdf/objects.js';
import { buildPdf, tempDir } from '../../unit/pdf/build-pdf.js';

const SAMPLE = 'test/fixtures/cong-van-mau.pdf';
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Word boxes from poppler (top-down y), converted to user space (bottom-up). */
function popplerWords(file: string, pageHeight: number): { text: string; x0: number; y0: number; x1: number; y1: number }[] {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  return [...xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    text: m[5]!,
    x0: Number(m[1]),
    x1: Number(m[3]),
    y0: pageHeight - Number(m[4]),
    y1: pageHeight - Number(m[2]),
  }));
}

describe('text extraction for anchors', () => {
  it('finds the signer title on the Chromium sample where poppler sees it', async () => {
    const pdf = await PdfFile.open(SAMPLE);
    const page = await pdf.page(0);
    const words = popplerWords(SAMPLE, page.mediaBox[3]);
    for (const needle of ['PHÓ CHỦ TỊCH', 'Nguyễn Văn An', 'Nơi nhận:']) {
      const [m, ...rest] = await findText(pdf, 0, needle);
      expect(m, needle).toBeDefined();
      expect(rest).toHaveLength(0);
      const first = needle.split(' ')[0]!;
      // Poppler may split a word where Chromium switched to a fallback glyph ("Nguy" "ễ" "n").
      const w = words.find((x) => x.text.length > 0 && first.startsWith(x.text) && Math.abs(x.x0 - m!.x) < 1);
      expect(w, `${needle} near poppler's ${first}`).toBeDefined();
      expect(Math.abs(w!.y0 - m!.y)).toBeLessThan(1.5);
    }
    // Case-insensitive fallback, and a clear error for a missing anchor.
    expect(await findText(pdf, 0, 'phó chủ tịch')).toHaveLength(1);
    await expect(findAnchor(pdf, 0, 'GIÁM ĐỐC SỞ')).rejects.toMatchObject({ code: 'pdfAnchorNotFound' });
    await pdf.close();
  });

  it('follows cm, Tm, TD, TJ kerning and form XObjects on a hand-made page', async () => {
    const content = 'q 2 0 0 2 10 20 cm BT /F1 10 Tf 1 0 0 1 30 40 Tm (AB) Tj 0 -12 TD [(C) -1000 (D)] TJ ET Q q 1 0 0 1 100 0 cm /X1 Do Q';
    const form = 'BT /F1 20 Tf 5 5 Td (Anchor) Tj 0 100 Td (x\\227y) Tj ET';
    const file = tmp.file('hand.pdf', buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 500 500] >>',
      '<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>',
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
      '<< /Type /Font /Subtype /Type1 /BaseFont /Courier /FirstChar 32 /LastChar 126 /Widths [' + Array(95).fill(600).join(' ') + '] >>',
      `<< /Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 0 300] /Length ${form.length} >>\nstream\n${form}\nendstream`,
    ]));
    const pdf = await PdfFile.open(file);
    const ab = (await findText(pdf, 0, 'AB'))[0]!;
    // Tm (30,40) scaled by 2 and shifted by (10,20): x = 70; two glyphs of 6 units * 2.
    expect(ab.x).toBeCloseTo(70, 6);
    expect(ab.width).toBeCloseTo(24, 6);
    expect(ab.y).toBeCloseTo(20 + 2 * (40 - 2), 6);
    const d = (await findText(pdf, 0, 'D'))[0]!;
    // C at 30*2+10 = 70, C advance 12, kerning -1000/1000*10*2 = +20.
    expect(d.x).toBeCloseTo(70 + 12 + 20, 6);
    const anchor = (await findText(pdf, 0, 'Anchor'))[0]!;
    expect(anchor.x).toBeCloseTo(105, 6);
    expect(anchor.y).toBeCloseTo(305 - 4, 6);
    // A simple font without ToUnicode: WinAnsi code 0x97 is an em dash.
    expect(await findText(pdf, 0, 'x—y')).toHaveLength(1);
    await pdf.close();
  });

  it('finds Vietnamese text written with our own embedded subset font', async () => {
    const src = tmp.file('base.pdf', buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 300 300] >>',
      '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>',
      '<< /Length 0 >>\nstream\n\nendstream',
    ]));
    const pdf = await PdfFile.open(src);
    const up = new IncrementalUpdate(pdf);
    const font = await EmbeddedFont.load('italic');
    const ops = textOps(font, 'F9', wrapText(font, 'Giám đốc Sở Tư pháp', 14, 280), { x: 50, top: 200, size: 14 });
    const fontRef = await font.toPdf(up);
    const page = await up.edit((await pdf.page(0)).ref);
    page.set('Resources', new PdfDict({ Font: new PdfDict({ F9: fontRef }) }));
    page.set('Contents', up.add(PdfStream.of(new PdfDict(), Buffer.from(ops, 'latin1'))));
    const out = tmp.file('viet.pdf');
    await up.writeTo(out);
    await pdf.close();
    const res = await PdfFile.open(out);
    const m = await findAnchor(res, 0, 'Sở Tư pháp');
    expect(m.x).toBeGreaterThan(50 + font.widthOf('Giám đốc ', 14) - 0.01);
    expect(m.y).toBeCloseTo(200 - (font.ascent - font.descent) * 0.014, 1);
    await res.close();
  });
});
