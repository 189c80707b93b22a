import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { PdfDict, PdfStream, name } from '../../../main/pdf/objects.js';
import { isKysoError } from '../../../main/api/errors.js';
import { buildPdf, simplePdf, tempDir } from '../../unit/pdf/build-pdf.js';
import { mutoolPages, qpdfCheck } from './tools.js';

const SAMPLE = readFileSync('test/fixtures/cong-van-mau.pdf');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isKysoError(e) ? e.code : `non-Kyso error: ${String(e)}`;
  }
}

/** The error code of opening `file`, or 'ok' (the file is closed again either way). */
async function openCode(file: string, opts?: Parameters<typeof PdfFile.open>[1]): Promise<string> {
  return codeOf(PdfFile.open(file, opts).then((pdf) => pdf.close()));
}

/** Opens, appends an update, and checks the result with qpdf and mutool; returns why it was repaired. */
async function repairAndUpdate(file: string): Promise<string | null> {
  const pdf = await PdfFile.open(file);
  expect(pdf.repaired).toBe(true);
  expect(await pdf.pageCount()).toBe(1);
  const up = new IncrementalUpdate(pdf);
  const cat = await up.edit(pdf.trailer.getRef('Root')!);
  cat.set('KysoMark', up.add(new PdfDict({ Type: name('Test') })));
  const out = file.replace(/\.pdf$/, '-up.pdf');
  await up.writeTo(out);
  const orig = readFileSync(file);
  expect(readFileSync(out).subarray(0, orig.length).equals(orig)).toBe(true);
  expect(qpdfCheck(out).status).toBe(0);
  expect(mutoolPages(out)).toBe(1);
  const again = await PdfFile.open(out);
  expect(again.repaired).toBe(false);
  expect((await again.catalog()).has('KysoMark')).toBe(true);
  await again.close();
  await pdf.close();
  return pdf.repairReason;
}

describe('damaged files are repaired or refused', () => {
  it('repairs a wrong startxref offset and writes a full xref', async () => {
    const s = SAMPLE.toString('latin1').replace(/startxref\s+(\d+)/, (_m, n: string) => `startxref\n${Number(n) + 7}`);
    expect(await repairAndUpdate(tmp.file('badstart.pdf', Buffer.from(s, 'latin1')))).toMatch(/Damaged PDF at byte|xref/);
  });

  it('repairs shifted xref entry offsets', async () => {
    const s = SAMPLE.toString('latin1').replace(/(\d{10}) (\d{5}) n/g, (_m, o: string, g: string) => `${String(Number(o) + 3).padStart(10, '0')} ${g} n`);
    await repairAndUpdate(tmp.file('shifted.pdf', Buffer.from(s, 'latin1')));
  });

  it('falls back to a scan when one offset proves wrong after a normal open, then writes a full xref', async () => {
    // Only the font's entry (object 5) is wrong; the catalog loads, so the open is normal.
    const good = simplePdf();
    const s = good.toString('latin1');
    const entries = [...s.matchAll(/(\d{10}) 00000 n/g)];
    const font = entries[4]!;
    const bad = s.slice(0, font.index) + String(Number(font[1]) + 5).padStart(10, '0') + s.slice(font.index + 10);
    const file = tmp.file('oneoff.pdf', Buffer.from(bad, 'latin1'));
    const pdf = await PdfFile.open(file);
    expect(pdf.repaired).toBe(false);
    const res = (await pdf.page(0)).resources;
    const f = (await pdf.resolve((res.get('Font') as PdfDict).get('F1'))) as PdfDict;
    expect(f.getName('BaseFont')).toBe('Helvetica');
    expect(pdf.repaired).toBe(true);
    const up = new IncrementalUpdate(pdf);
    (await up.edit(pdf.trailer.getRef('Root')!)).set('KysoMark', true);
    const out = tmp.file('oneoff-up.pdf');
    await up.writeTo(out);
    await pdf.close();
    expect(qpdfCheck(out).status).toBe(0);
    const again = await PdfFile.open(out);
    expect(again.trailer.has('Prev')).toBe(false);
    expect(again.entry(5)).toEqual({ type: 'offset', offset: Number(font[1]), gen: 0 });
    await again.close();
  });

  it('never serves one object for another entry aimed at the same offset', async () => {
    const base = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /X 5 0 R /Y 6 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>',
      '<< /Type /Page /Parent 2 0 R >>',
      '<< /Length 0 >>\nstream\n\nendstream',
      '<< /Secret 1 >>',
    ]).toString('latin1');
    // Add an entry for object 6 that points at object 5.
    const off5 = /(\d{10}) 00000 n\r\ntrailer/.exec(base)![1]!;
    const forged = base.replace('xref\n0 6\n', 'xref\n0 7\n').replace(/(\d{10} 00000 n\r\n)trailer/, `$1${off5} 00000 n\r\ntrailer`).replace('/Size 6', '/Size 7');
    const pdf = await PdfFile.open(tmp.file('alias.pdf', Buffer.from(forged, 'latin1')));
    expect(((await pdf.getObject(5)) as PdfDict).get('Secret')).toBe(1);
    expect(await codeOf(pdf.getObject(6))).toBe('pdfMalformed');
    await pdf.close();
  });

  it('repairs a file whose xref and trailer are missing', async () => {
    const s = SAMPLE.toString('latin1');
    const cut = s.slice(0, s.lastIndexOf('\nxref') + 1) + '%%EOF\n';
    expect(cut).not.toMatch(/trailer|startxref/);
    await repairAndUpdate(tmp.file('noxref.pdf', Buffer.from(cut, 'latin1')));
  });

  it('truncated files are refused when objects are lost, repaired when only the xref is lost', async () => {
    for (const frac of [0.2, 0.5, 0.9]) {
      const f = tmp.file(`trunc${frac}.pdf`, SAMPLE.subarray(0, Math.floor(SAMPLE.length * frac)));
      expect(['pdfTruncated', 'pdfUnrepairable']).toContain(await openCode(f));
    }
    // Cutting inside the final xref table loses no object: repaired, and the update is clean.
    const cut = SAMPLE.toString('latin1').lastIndexOf('\nxref') + 200;
    await repairAndUpdate(tmp.file('trunc-xref.pdf', SAMPLE.subarray(0, cut)));
  });

  it('refuses to repair when asked not to', async () => {
    const s = SAMPLE.toString('latin1').replace(/startxref\s+(\d+)/, 'startxref\n12');
    expect(await openCode(tmp.file('norepair.pdf', Buffer.from(s, 'latin1')), { repair: false })).toBe('pdfUnrepairable');
  });

  it('detects circular references in the page tree and in ref chains', async () => {
    const loop = buildPdf([
      '<< /Type /Catalog /Pages 2 0 R /A 3 0 R >>',
      '<< /Type /Pages /Kids [2 0 R] /Count 1 >>',
      '4 0 R',
      '3 0 R',
    ]);
    const pdf = await PdfFile.open(tmp.file('loop.pdf', loop));
    expect(await codeOf(pdf.page(0))).toBe('pdfCircular');
    expect(await codeOf(pdf.resolve((await pdf.catalog()).get('A')))).toBe('pdfCircular');
    await pdf.close();
  });

  it('survives a stream whose /Length is huge or refers to itself', async () => {
    const content = 'BT /F1 12 Tf 72 720 Td (Hi) Tj ET';
    const pdf1 = await PdfFile.open(tmp.file('huge.pdf', buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>',
      '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>',
      `<< /Length 99999999999 >>\nstream\n${content}\nendstream`,
    ])));
    const s1 = (await pdf1.resolve((await pdf1.page(0)).dict.get('Contents'))) as PdfStream;
    expect(Buffer.from(await pdf1.decodeStream(s1)).toString()).toBe(content);
    await pdf1.close();
    const pdf2 = await PdfFile.open(tmp.file('selflen.pdf', buildPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>',
      '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>',
      `<< /Length 4 0 R >>\nstream\n${content}\nendstream`,
    ])));
    const s2 = (await pdf2.resolve((await pdf2.page(0)).dict.get('Contents'))) as PdfStream;
    expect(s2.rawLength).toBe(content.length);
    await pdf2.close();
  });

  it('a /Prev loop or a /Prev outside the file does not hang', async () => {
    const base = simplePdf().toString('latin1');
    const loop = base.replace('/Root 1 0 R', `/Root 1 0 R /Prev ${base.lastIndexOf('\nxref') + 1}`);
    const pdf = await PdfFile.open(tmp.file('prevloop.pdf', Buffer.from(loop, 'latin1')));
    expect(pdf.repaired).toBe(false);
    expect(pdf.revisions).toHaveLength(1);
    expect(await pdf.pageCount()).toBe(1);
    await pdf.close();
    const out = base.replace('/Root 1 0 R', '/Root 1 0 R /Prev 99999999');
    expect(['ok', 'pdfUnrepairable']).toContain(await openCode(tmp.file('prevout.pdf', Buffer.from(out, 'latin1'))));
  });
});
