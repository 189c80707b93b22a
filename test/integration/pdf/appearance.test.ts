import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { EmbeddedFont } from '../../../main/pdf/font.js';
import { fitText, textOps, wrapText } from '../../../main/pdf/text-layout.js';
import { decodePng, embedPng } from '../../../main/pdf/png.js';
import { ResourceBuilder, drawXObject, formXObject } from '../../../main/pdf/xobject.js';
import { PdfDict, PdfStream, type PdfRef } from '../../../main/pdf/objects.js';
import { isKysoError } from '../../../main/api/errors.js';
import { tempDir } from '../../unit/pdf/build-pdf.js';
import { qpdfCheck } from './tools.js';

const SAMPLE = 'test/fixtures/cong-van-mau.pdf';
const TEXT = 'Ký bởi: Nguyễn Thị Phượng — Ủy ban nhân dân tỉnh Quảng Ngãi';
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A minimal PNG encoder for test inputs (filter 0 on every row). */
function png(width: number, height: number, ctype: number, pixel: (x: number, y: number) => number[], extra: [string, Buffer][] = []): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); // readers here do not check CRCs
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = ctype;
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push(...pixel(x, y));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, d)),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('appearance primitives', () => {
  it('measures and wraps Vietnamese text with Liberation Serif metrics', async () => {
    const font = await EmbeddedFont.load('regular');
    expect(font.covers(TEXT)).toBe(true);
    // Times/Liberation: "H" is 722/1000 em; decomposed input is NFC-normalized first.
    expect(font.widthOf('H', 10)).toBeCloseTo(7.22, 2);
    expect(font.widthOf('Nguye\u0302\u0303n', 12)).toBeCloseTo(font.widthOf('Nguyễn', 12), 6);
    const lines = wrapText(font, TEXT, 10, 120);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.width).toBeLessThanOrEqual(120);
    expect(lines.map((l) => l.text).join(' ')).toBe(TEXT);
    const fit = fitText(font, TEXT, 150, 40, { maxSize: 14 });
    expect(fit.lines.length * fit.size * 1.2).toBeLessThanOrEqual(40);
  });

  it('decodes RGBA, gray+alpha and palette PNGs with their alpha as SMask', () => {
    const rgba = decodePng(png(4, 2, 6, (x) => [255, 0, 0, x * 60]));
    expect(rgba.image.dict.getName('ColorSpace')).toBe('DeviceRGB');
    expect(rgba.smask).not.toBeNull();
    const ga = decodePng(png(3, 3, 4, () => [128, 10]));
    expect(ga.image.dict.getName('ColorSpace')).toBe('DeviceGray');
    expect(ga.smask).not.toBeNull();
    const pal = decodePng(png(2, 2, 3, (x) => [x], [['PLTE', Buffer.from([0, 0, 255, 255, 0, 0])], ['tRNS', Buffer.from([0])]]));
    expect(pal.smask).not.toBeNull();
    const opaque = decodePng(png(2, 2, 2, () => [1, 2, 3]));
    expect(opaque.smask).toBeNull();
    for (const bad of [Buffer.from('not a png'), png(2, 2, 6, () => [1, 2, 3, 4]).subarray(0, 40)]) {
      try {
        decodePng(bad);
        expect.unreachable();
      } catch (e) {
        expect(isKysoError(e) && e.code).toBe('pdfImage');
      }
    }
  });

  it('stamps text and the sample PNGs onto a page: extractable text, embedded subset font, SMask images', async () => {
    const pdf = await PdfFile.open(SAMPLE);
    const up = new IncrementalUpdate(pdf);
    const font = await EmbeddedFont.load('bold');
    const res = new ResourceBuilder();
    const sig = embedPng(up, readFileSync('test/fixtures/signature.png'));
    const seal = embedPng(up, readFileSync('test/fixtures/seal.png'));
    const lines = wrapText(font, TEXT, 11, 220);
    const content = [
      drawXObject(res.xobject(seal.ref), 300, 120, 90, 90),
      drawXObject(res.xobject(sig.ref), 340, 130, 160, (160 * sig.height) / sig.width),
      textOps(font, 'F1', lines, { x: 300, top: 110, size: 11, color: [0, 0, 0.6] }),
    ].join('\n');
    const fontRef = await font.toPdf(up);
    expect(res.font(fontRef)).toBe('F1');
    const form = up.add(formXObject({ bbox: [0, 0, 595, 842], content, resources: res.build() }));
    // Draw the form on the page through an extra content stream (keeps the original one intact).
    const page = await pdf.page(0);
    const pageDict = await up.edit(page.ref);
    const pageRes = page.resources.clone();
    const xo = ((await pdf.resolve(pageRes.get('XObject'))) as PdfDict | undefined)?.clone() ?? new PdfDict();
    xo.set('KysoStamp', form);
    pageRes.set('XObject', xo);
    pageDict.set('Resources', pageRes);
    // Chromium leaves its CTM unbalanced: wrap the original content in q/Q before drawing.
    const pre = up.add(PdfStream.of(new PdfDict(), Buffer.from('q\n')));
    const extra = up.add(PdfStream.of(new PdfDict(), Buffer.from('\nQ q /KysoStamp Do Q')));
    const old = pageDict.get('Contents');
    pageDict.set('Contents', [pre, ...(Array.isArray(old) ? old : [old as PdfRef]), extra]);
    const out = tmp.file('stamped.pdf');
    await up.writeTo(out);
    await pdf.close();

    expect(qpdfCheck(out).status).toBe(0);
    const text = execFileSync('pdftotext', ['-raw', out, '-'], { encoding: 'utf8' });
    for (const l of lines) expect(text).toContain(l.text);
    const fonts = execFileSync('pdffonts', [out], { encoding: 'utf8' });
    const ours = fonts.split('\n').find((l) => /\+LiberationSerif-Bold/.test(l) && /CID TrueType/.test(l));
    expect(ours).toMatch(/Identity-H\s+yes\s+yes\s+yes/);
    const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' });
    expect(images.match(/smask/g)?.length).toBe(2);
    const draw = spawnSync('mutool', ['draw', '-o', tmp.file('p.png'), out, '1'], { encoding: 'utf8' });
    expect(draw.status).toBe(0);
    expect(draw.stderr).not.toMatch(/error/i);
  });
});
