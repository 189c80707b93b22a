import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate, byteRangeText } from '../../../main/pdf/writer.js';
import { PdfDict, PdfStream, PdfString, name, type PdfRef } from '../../../main/pdf/objects.js';
import { isKysoError } from '../../../main/api/errors.js';
import { simplePdf, tempDir } from '../../unit/pdf/build-pdf.js';
import { mutoolPages, pdftotext, qpdf, qpdfCheck } from './tools.js';

const SAMPLE = 'test/fixtures/cong-van-mau.pdf';
const tmp = tempDir();
const fx: Record<string, string> = {};

/** Appends a signature-like update and checks the oracles; returns the output path. */
async function appendUpdate(input: string, out: string): Promise<{ pdf: PdfFile; kind: string }> {
  const pdf = await PdfFile.open(input);
  const kind = pdf.lastXrefKind;
  const up = new IncrementalUpdate(pdf);
  const contents = up.placeholder(64);
  const br = up.byteRangePlaceholder();
  const sig = up.add(new PdfDict({ Type: name('Sig'), ByteRange: br, Contents: contents, Name: PdfString.text('Nguyễn Văn A') }));
  const cat = await up.edit(pdf.trailer.getRef('Root')!);
  cat.set('KysoTest', sig);
  const res = await up.writeTo(out);
  const span = res.spans.get(br)!;
  const cspan = res.spans.get(contents)!;
  // Patch the byte range in place, as signing does, and check the bytes landed where reported.
  const bytes = readFileSync(out);
  bytes.write(byteRangeText([0, cspan.start, cspan.end, res.size - cspan.end]), span.start, 'latin1');
  expect(bytes.subarray(cspan.start, cspan.end).toString('latin1')).toBe('<' + '0'.repeat(128) + '>');
  writeFileSync(out, bytes);
  await pdf.close();
  return { pdf, kind };
}

beforeAll(() => {
  fx.sample = SAMPLE;
  fx.objstm = tmp.file('objstm.pdf');
  qpdf('--object-streams=generate', SAMPLE, fx.objstm);
  fx.linearized = tmp.file('lin.pdf');
  qpdf('--linearize', SAMPLE, fx.linearized);
  fx.rotated = tmp.file('rot.pdf');
  qpdf('--rotate=+90:1', SAMPLE, fx.rotated);
  fx.v13 = tmp.file('v13.pdf', simplePdf({ version: '1.3' }));
  fx.v20 = tmp.file('v20.pdf');
  qpdf('--force-version=2.0', SAMPLE, fx.v20);
  fx.cairo = tmp.file('cairo.pdf');
  execFileSync('pdftocairo', ['-pdf', SAMPLE, fx.cairo]);
  fx.mutool = tmp.file('mutool.pdf');
  execFileSync('mutool', ['clean', '-gggg', '-z', SAMPLE, fx.mutool]);
  fx.inherit = tmp.file('inherit.pdf', simplePdf({ page: '', pages: '/MediaBox [0 0 300 400] /Rotate 270 /Resources << /Font << /F1 5 0 R >> >>' }));
});
afterAll(() => tmp.cleanup());

describe('PdfFile reader', () => {
  it('opens the Chromium sample lazily', async () => {
    const pdf = await PdfFile.open(SAMPLE);
    expect(pdf.version).toBe('1.4');
    expect(pdf.revisions).toHaveLength(1);
    expect(pdf.revisions[0]!.endOffset).toBe(pdf.size);
    expect(await pdf.pageCount()).toBe(1);
    const p = await pdf.page(0);
    expect(p.mediaBox[2]).toBeCloseTo(594.96, 1);
    expect(p.resources.has('Font')).toBe(true);
    await pdf.close();
  });

  it.each(['objstm', 'linearized', 'rotated', 'v13', 'v20', 'cairo', 'mutool'])('reads the %s fixture like mutool does', async (k) => {
    const pdf = await PdfFile.open(fx[k]!);
    expect(await pdf.pageCount()).toBe(mutoolPages(fx[k]!));
    expect(pdf.repaired).toBe(false);
    if (k === 'objstm') expect(pdf.lastXrefKind).toBe('stream');
    if (k === 'linearized') expect(pdf.revisions).toHaveLength(1);
    if (k === 'rotated') expect((await pdf.page(0)).rotate).toBe(90);
    const content = await pdf.resolve((await pdf.page(0)).dict.get('Contents'));
    const first = Array.isArray(content) ? await pdf.resolve(content[0]) : content;
    expect(first).toBeInstanceOf(PdfStream);
    expect((await pdf.decodeStream(first as PdfStream)).length).toBeGreaterThan(10);
    await pdf.close();
  });

  it('reads a hybrid-reference file (/XRefStm) and appends a classic section to it', async () => {
    // Build the hybrid from the xref-stream fixture: a table listing the uncompressed objects,
    // whose trailer points at the original xref stream for the compressed ones.
    const base = readFileSync(fx.objstm!);
    const pdf0 = await PdfFile.open(fx.objstm!);
    const sec = pdf0.revisions[0]!.sections[0]!;
    const root = pdf0.trailer.get('Root') as PdfRef;
    expect(pdf0.entry(root.num)?.type).toBe('compressed');
    await pdf0.close();
    const body = base.subarray(0, base.lastIndexOf('startxref'));
    const size = Math.max(...sec.entries.keys()) + 1;
    let table = `xref\n0 ${size}\n`;
    for (let n = 0; n < size; n++) {
      const e = sec.entries.get(n);
      table += e?.type === 'offset' ? `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n` : `0000000000 ${n ? '00000' : '65535'} f\r\n`;
    }
    table += `trailer\n<< /Size ${size} /Root ${root.num} 0 R /XRefStm ${sec.offset} >>\nstartxref\n${body.length}\n%%EOF\n`;
    const hybrid = tmp.file('hybrid.pdf', Buffer.concat([body, Buffer.from(table, 'latin1')]));
    expect(qpdfCheck(hybrid).status).toBe(0);
    const pdf = await PdfFile.open(hybrid);
    expect(pdf.repaired).toBe(false);
    expect(pdf.lastXrefKind).toBe('table');
    expect(pdf.entry(root.num)?.type).toBe('compressed');
    expect(await pdf.pageCount()).toBe(1);
    await pdf.close();
    const out = tmp.file('hybrid-up.pdf');
    await appendUpdate(hybrid, out);
    expect(qpdfCheck(out).status).toBe(0);
    expect(readFileSync(out).subarray(0, readFileSync(hybrid).length).equals(readFileSync(hybrid))).toBe(true);
  });

  it('inherits MediaBox, Rotate and Resources from the page tree', async () => {
    const pdf = await PdfFile.open(fx.inherit!);
    const p = await pdf.page(0);
    expect(p.mediaBox).toEqual([0, 0, 300, 400]);
    expect(p.cropBox).toEqual([0, 0, 300, 400]);
    expect(p.rotate).toBe(270);
    expect(p.resources.has('Font')).toBe(true);
    await expect(pdf.page(1)).rejects.toMatchObject({ code: 'pdfPageNotFound' });
    await pdf.close();
  });

  it('reads an existing AcroForm with fields (pdf-lib made)', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const form = doc.getForm();
    form.createTextField('nguoi.ky').addToPage(page, { x: 50, y: 50 });
    form.createCheckBox('dongy').addToPage(page, { x: 50, y: 100 });
    const file = tmp.file('form.pdf', Buffer.from(await doc.save({ useObjectStreams: true })));
    const pdf = await PdfFile.open(file);
    const af = await pdf.acroForm();
    expect(af?.fields.map((f) => `${f.name}:${f.type}`).sort()).toEqual(['dongy:Btn', 'nguoi.ky:Tx']);
    const out = tmp.file('form-up.pdf');
    await appendUpdate(file, out);
    expect(qpdfCheck(out).status).toBe(0);
    await pdf.close();
  });
});

describe('IncrementalUpdate', () => {
  it.each(['sample', 'objstm', 'linearized', 'rotated', 'v13', 'v20', 'inherit', 'cairo', 'mutool'])('appends to %s: exact prefix, qpdf --check clean, readable', async (k) => {
    const input = fx[k]!;
    const out = tmp.file(`${k}-up.pdf`);
    const { kind } = await appendUpdate(input, out);
    const orig = readFileSync(input);
    const res = readFileSync(out);
    expect(res.subarray(0, orig.length).equals(orig)).toBe(true);
    expect(qpdfCheck(out)).toMatchObject({ status: 0 });
    expect(mutoolPages(out)).toBe(mutoolPages(input));
    // Our own reader sees two revisions, the new one of the same xref kind.
    const pdf = await PdfFile.open(out);
    expect(pdf.revisions.length).toBeGreaterThanOrEqual(2);
    expect(pdf.revisions.at(-2)!.endOffset).toBe(orig.length);
    expect(pdf.lastXrefKind).toBe(kind);
    const cat = await pdf.catalog();
    const sig = (await pdf.resolve(cat.get('KysoTest'))) as PdfDict;
    expect(sig.getName('Type')).toBe('Sig');
    // As of revision 0 the new object does not exist.
    expect(await pdf.atRevision(pdf.revisions.length - 2).getObject(cat.getRef('KysoTest')!)).toBeNull();
    await pdf.close();
  });

  it('stacks several updates and keeps each earlier file a prefix', async () => {
    let cur = SAMPLE;
    const sizes = [readFileSync(SAMPLE).length];
    for (let i = 0; i < 3; i++) {
      const out = tmp.file(`stack${i}.pdf`);
      await appendUpdate(cur, out);
      const prev = readFileSync(cur);
      expect(readFileSync(out).subarray(0, prev.length).equals(prev)).toBe(true);
      sizes.push(readFileSync(out).length);
      cur = out;
    }
    const pdf = await PdfFile.open(cur);
    expect(pdf.revisions.map((r) => r.endOffset)).toEqual(sizes);
    expect(pdf.revisions.map((r) => r.startOffset)).toEqual([0, ...sizes.slice(0, -1)]);
    expect(qpdfCheck(cur).status).toBe(0);
    expect(pdftotext(cur)).toContain('CHỦ TỊCH');
    await pdf.close();
  });

  it('adds a final end-of-line in the update only when the file lacks one', async () => {
    const src = readFileSync(SAMPLE);
    const noEol = tmp.file('noeol.pdf', src.subarray(0, src.length - 1));
    expect(src[src.length - 1]).toBe(0x0a);
    const out = tmp.file('noeol-up.pdf');
    await appendUpdate(noEol, out);
    const res = readFileSync(out);
    expect(res.subarray(0, src.length - 1).equals(src.subarray(0, src.length - 1))).toBe(true);
    expect(res[src.length - 1]).toBe(0x0a);
    expect(qpdfCheck(out).status).toBe(0);
  });

  it('keeps /ID and /Info from the previous trailer and sets /Prev', async () => {
    const out = tmp.file('ids.pdf');
    // qpdf output has an /ID; the Chromium sample has none (the update then adds one).
    copyFileSync(fx.objstm!, tmp.file('ids-in.pdf'));
    await appendUpdate(tmp.file('ids-in.pdf'), out);
    const a = await PdfFile.open(fx.objstm!);
    expect(a.trailer.get('ID')).toBeDefined();
    const b = await PdfFile.open(out);
    expect(b.trailer.get('ID')).toEqual(a.trailer.get('ID'));
    expect(b.trailer.get('Info')).toEqual(a.trailer.get('Info'));
    expect(b.trailer.get('Prev')).toBe(a.revisions[0]!.xrefOffset);
    await a.close();
    await b.close();
  });
});

describe('errors', () => {
  const code = async (file: string): Promise<string> => {
    try {
      const pdf = await PdfFile.open(file);
      await pdf.close();
      return 'ok';
    } catch (e) {
      return isKysoError(e) ? e.code : String(e);
    }
  };
  it('gives clear codes for encrypted, not-a-PDF, empty and missing files', async () => {
    const enc = tmp.file('enc.pdf');
    qpdf('--encrypt', 'u', 'o', '256', '--', SAMPLE, enc);
    expect(await code(enc)).toBe('pdfPasswordRequired');
    expect(await code(tmp.file('x.pdf', Buffer.from('hello world, not a pdf')))).toBe('pdfNotPdf');
    expect(await code(tmp.file('empty.pdf', Buffer.alloc(0)))).toBe('pdfEmpty');
    expect(await code(tmp.file('missing.pdf'))).toBe('fileNotFound');
    expect(await code(tmp.dir)).toBe('fileNotRegular');
  });
});

describe('laziness on big files', () => {
  it('opens a 100 MB file and appends an update reading only its tail, xref and needed objects', async () => {
    // A sparse file: the 100 MB image stream is a hole on disk, so the test stays cheap.
    const big = 10240 * 10240;
    const DRAW = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
    const head = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /XObject /Subtype /Image /Width 10240 /Height 10240 /BitsPerComponent 8 /ColorSpace /DeviceGray /Length ' + big + ' >>\nstream\n', 'latin1');
    const afterStream = head.length + big;
    const rest = ['\nendstream\nendobj\n'];
    const objs = [
      '<< /Type /Catalog /Pages 3 0 R >>',
      '<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
      '<< /Type /Page /Parent 3 0 R /Resources << /XObject << /Im1 1 0 R >> >> /Contents 5 0 R >>',
      `<< /Length ${DRAW.length} >>\nstream\n${DRAW}\nendstream`,
    ];
    const offsets = [9];
    let pos = afterStream + rest[0]!.length;
    objs.forEach((o, i) => {
      const s = `${i + 2} 0 obj\n${o}\nendobj\n`;
      offsets.push(pos);
      rest.push(s);
      pos += s.length;
    });
    rest.push(`xref\n0 6\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}trailer\n<< /Size 6 /Root 2 0 R >>\nstartxref\n${pos}\n%%EOF\n`);
    const file = tmp.file('big.pdf');
    const { open } = await import('node:fs/promises');
    const fh = await open(file, 'w');
    await fh.write(head, 0, head.length, 0);
    const tail = Buffer.from(rest.join(''), 'latin1');
    await fh.write(tail, 0, tail.length, afterStream);
    await fh.close();

    const pdf = await PdfFile.open(file);
    expect(pdf.size).toBeGreaterThan(big);
    const page = await pdf.page(0);
    const im = (await pdf.resolve(((await pdf.resolve(page.resources.get('XObject'))) as PdfDict).get('Im1'))) as PdfStream;
    expect(im.rawLength).toBe(big);
    const up = new IncrementalUpdate(pdf);
    const cat = await up.edit(pdf.trailer.getRef('Root')!);
    cat.set('KysoMark', true);
    const out = tmp.file('big-up.pdf');
    await up.writeTo(out);
    // Header, tail, xref, a few objects and the /Length check: far below one megabyte.
    expect(pdf.source.bytesRead).toBeLessThan(256 * 1024);
    await pdf.close();
    expect(qpdfCheck(out).status).toBe(0);
  });
});
