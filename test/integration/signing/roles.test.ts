/**
 * Every Decree 30 role signs into a valid PDF (pdfsig valid + total, qpdf clean, openssl cms
 * accepts) with its Vietnamese text extractable (pdftotext), an embedded subset font
 * (pdffonts), images with SMask (pdfimages), rendering without errors (mutool draw), plus
 * anchors, rotated pages and DocMDP certification.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../../../main/signing/pades.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import type { AppearanceOptions, Placement } from '../../../main/signing/types.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { IncrementalUpdate } from '../../../main/pdf/writer.js';
import { createLocalPki, type LocalPki } from './local-pki.js';
import { makeNssDb, opensslVerify, pdfsig, pdfsigBlocks, qpdfCheck, signaturesOf } from './oracles.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
const SIG = path.resolve('test/fixtures/signature.png');
const SEAL = path.resolve('test/fixtures/seal.png');
let dir: string;
let pki: LocalPki;
let nss: string;
let signer: Signer;
const ORG = 'Ủy ban nhân dân tỉnh Quảng Ngãi';
const TIME = new Date('2026-11-22T02:15:02Z');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-roles-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  nss = await makeNssDb(path.join(dir, 'nss'), pki.root.cert, [pki.intermediate.cert]);
  signer = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(file: string): Promise<string> {
  const report = await pdfsig(file, nss);
  const last = pdfsigBlocks(report).at(-1)!;
  expect(last, report).toContain('Signature is Valid.');
  expect(last, report).toContain('Total document signed');
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  for (const s of signaturesOf(file)) expect(await opensslVerify(file, s, pki.root.cert, dir)).toContain('Verification successful');
  const draw = spawnSync('mutool', ['draw', '-o', path.join(dir, 'render.png'), file, '1'], { encoding: 'utf8' });
  expect(draw.status).toBe(0);
  expect(draw.stderr).not.toMatch(/error/i);
  // pdftotext reads page content only; the stamp lives in the widget appearance, so
  // flatten it with mutool to read the text a viewer renders.
  const flat = path.join(dir, 'flat.pdf');
  execFileSync('qpdf', ['--flatten-annotations=all', '--', file, flat]);
  return execFileSync('pdftotext', ['-raw', flat, '-'], { encoding: 'utf8' });
}

const roles: Array<[string, AppearanceOptions, string[], number]> = [
  // Decree 30: the approval stamp is the signature image only; without an image, who and when.
  ['approval', { role: 'approval', image: SIG }, [], 1],
  ['approval without image', { role: 'approval' }, ['Ký bởi: Nguyen Van A', 'Thời gian: 22/11/2026 09:15'], 0],
  // Issuing: the seal only (the approval image is the official's own signature) and its text;
  // the number and date go into the letter's blanks (letter-layout.test.ts).
  ['issuing', { role: 'issuing', image: SIG, sealImage: SEAL, organization: ORG, documentNumber: '15/QĐ-UBND', documentDate: '22/11/2026' }, [ORG, '2026-11-22T09:15:02+07:00'], 1],
  ['attachment', { role: 'attachment', organization: ORG, documentNumber: '15/QĐ-UBND' }, ['Số: 15/QĐ-UBND', ORG, '2026-11-22T09:15:02+07:00'], 0],
  ['copy', { role: 'copy', copyForm: 'SAO LỤC', organization: 'Văn phòng UBND tỉnh' }, ['SAO LỤC', 'Văn phòng UBND tỉnh'], 0],
  ['incoming', { role: 'incoming', arrivalNumber: '1234', arrivalDate: '22/11/2026' }, ['ĐẾN', 'Số: 1234', 'Ngày: 22/11/2026'], 0],
  ['copy with its number', { role: 'copy', copyForm: 'SAO Y', documentNumber: '123/BCY-CTSBMTT', organization: 'Văn phòng UBND tỉnh' }, ['SAO Y', 'Số: 123/BCY-CTSBMTT', 'Văn phòng UBND tỉnh'], 0],
  ['initials', { role: 'initials', signerName: 'Nguyễn Văn An' }, ['N.V.A', '2026-11-22T09:15:02+07:00'], 0],
  ['initials with the signature image', { role: 'initials', image: SIG }, ['N.V.A'], 1],
];

describe('signature appearances per role', () => {
  it.each(roles)('%s', async (role, appearance, texts, images) => {
    const out = path.join(dir, `${role}.pdf`);
    await signPdf(FIXTURE, out, { signer, appearance, signingTime: TIME });
    const text = (await check(out)).replace(/\s+/g, ' ');
    for (const t of texts) expect(text).toContain(t);
    const fonts = execFileSync('pdffonts', [out], { encoding: 'utf8' });
    expect(fonts).toMatch(/\+LiberationSerif-(Regular|Bold)\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    const list = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' });
    expect((list.match(/smask/g) ?? []).length).toBe(images);
  });

  it('places by anchor text and by page + rect; attachment/copy go top right of page 1', async () => {
    const anchorOut = path.join(dir, 'anchor.pdf');
    const pdf = await PdfFile.open(FIXTURE);
    const { findText } = await import('../../../main/pdf/text-extract.js');
    const pageText = execFileSync('pdftotext', ['-f', '1', '-l', '1', FIXTURE, '-'], { encoding: 'utf8' });
    const word = pageText.split(/\s+/).find((w) => w.length > 4)!;
    const match = (await findText(pdf, 0, word))[0]!;
    await pdf.close();
    await signPdf(FIXTURE, anchorOut, { signer, appearance: { role: 'approval', image: SIG }, placement: { anchor: word, anchorOffset: { dx: 0, dy: -60, width: 120, height: 50 } } });
    await check(anchorOut);
    // The image keeps its aspect inside the box given by the offset, centred in it.
    const [x0, y0, x1, y1] = widgetRect(anchorOut) as [number, number, number, number];
    expect(x0).toBeGreaterThanOrEqual(match.x - 0.01);
    expect(x1).toBeLessThanOrEqual(match.x + 120.01);
    expect(y0).toBeGreaterThanOrEqual(match.y - 60.01);
    expect(y1).toBeLessThanOrEqual(match.y - 10 + 0.01);
    expect((x0 + x1) / 2).toBeCloseTo(match.x + 60, 1);
    expect((y0 + y1) / 2).toBeCloseTo(match.y - 35, 1);
    const rectOut = path.join(dir, 'rect.pdf');
    const placement: Placement = { page: 1, rect: [100, 200, 150, 60] };
    await signPdf(FIXTURE, rectOut, { signer, appearance: { role: 'approval', image: SIG }, placement });
    // The widget is the given box; the image (360 x 160) is fitted into it, centred (135 x 60).
    const r = widgetRect(rectOut);
    expect(r.map((n) => Math.round(n * 10) / 10)).toEqual([100, 200, 250, 260]);
    await expect(signPdf(FIXTURE, path.join(dir, 'x.pdf'), { signer, appearance: { role: 'approval' }, placement: { anchor: 'không có chữ này ở đâu' } })).rejects.toMatchObject({ code: 'signAnchorNotFound' });
    await expect(signPdf(FIXTURE, path.join(dir, 'x.pdf'), { signer, appearance: { role: 'approval' }, placement: { page: 99 } })).rejects.toMatchObject({ code: 'signPageOutOfRange' });
  });

  it('keeps the stamp upright on a page rotated 90 degrees', async () => {
    const rotated = path.join(dir, 'rotated-src.pdf');
    const pdf = await PdfFile.open(FIXTURE);
    const up = new IncrementalUpdate(pdf);
    const page = await pdf.page(0);
    (await up.edit(page.ref)).set('Rotate', 90);
    await up.writeTo(rotated);
    await pdf.close();
    const out = path.join(dir, 'rotated.pdf');
    await signPdf(rotated, out, { signer, appearance: { role: 'copy', organization: ORG }, signingTime: TIME });
    const text = await check(out);
    expect(text).toContain('SAO Y');
    const [x0, y0, x1, y1] = widgetRect(out) as [number, number, number, number];
    // Displayed 206 x 36 box (three lines of size 10 in the 210 x 42 stamp): in default space 36 wide, 206 tall.
    expect(x1 - x0).toBeCloseTo(36, 3);
    expect(y1 - y0).toBeCloseTo(206, 3);
  });

  it('certifies the first signature (DocMDP P=2) and later approval signatures stay valid', async () => {
    const first = path.join(dir, 'cert1.pdf');
    await signPdf(FIXTURE, first, { signer, certify: 2, appearance: { role: 'issuing', sealImage: SEAL, organization: ORG } });
    const text = readFileSync(first).toString('latin1');
    expect(text).toMatch(/\/TransformMethod\s*\/DocMDP/);
    expect(text).toMatch(/\/Perms\s*<<\s*\/DocMDP/);
    const second = path.join(dir, 'cert2.pdf');
    const res = await signPdf(first, second, { signer, certify: 1, appearance: { role: 'approval', image: SIG }, placement: { page: 1, rect: [300, 100, 150, 60] } });
    expect(res.warnings.map((w) => w.code)).toContain('sign.warn.certifySkipped');
    const report = await pdfsig(second, nss);
    for (const b of pdfsigBlocks(report)) expect(b, report).toContain('Signature is Valid.');
  });

  it('refuses a file with stray bytes before %PDF (readers disagree on its offsets), and writes nothing', async () => {
    const junk = path.join(dir, 'junk-first.pdf');
    writeFileSync(junk, Buffer.concat([Buffer.alloc(400, 0x20), readFileSync(FIXTURE)]));
    const out = path.join(dir, 'junk-first-signed.pdf');
    await expect(signPdf(junk, out, { signer })).rejects.toMatchObject({ code: 'pdfJunkBeforeHeader', params: { bytes: 400 } });
    expect(existsSync(out)).toBe(false);
  });

  it('an absurd trailer /Size does not number the new objects (poppler reads the result)', async () => {
    const huge = path.join(dir, 'size-huge.pdf');
    writeFileSync(huge, Buffer.from(readFileSync(FIXTURE).toString('latin1').replace(/\/Size \d+/g, '/Size 999999999'), 'latin1'));
    const out = path.join(dir, 'size-huge-signed.pdf');
    await signPdf(huge, out, { signer });
    const report = await pdfsig(out, nss);
    expect(pdfsigBlocks(report), report).toHaveLength(1);
    expect(pdfsigBlocks(report)[0], report).toContain('Signature is Valid.');
  });

  it('does not reuse the name of a signature widget that sits only in the page /Annots', async () => {
    const objs = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R] >>',
      '<< /Length 43 >>\nstream\nBT /F1 24 Tf 72 720 Td (Hello World) Tj ET\nendstream',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      '<< /FT /Sig /T (Signature1) /Type /Annot /Subtype /Widget /Rect [100 100 200 150] /P 3 0 R >>',
    ];
    let text = '%PDF-1.7\n';
    const offsets = objs.map((o, i) => {
      const at = text.length;
      text += `${i + 1} 0 obj\n${o}\nendobj\n`;
      return at;
    });
    const xref = text.length;
    text += `xref\n0 7\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const orphan = path.join(dir, 'orphan-widget.pdf');
    writeFileSync(orphan, text, 'latin1');
    const out = path.join(dir, 'orphan-widget-signed.pdf');
    const res = await signPdf(orphan, out, { signer });
    expect(res.fieldName).toBe('Signature2');
    const report = await pdfsig(out, nss);
    const ours = pdfsigBlocks(report).filter((b) => b.includes('Signature Field Name: Signature2'));
    expect(ours, report).toHaveLength(1);
    expect(ours[0], report).toContain('Signature is Valid.');
  });

  it('refuses to sign a document certified with P=1 (no changes allowed), and writes nothing', async () => {
    const locked = path.join(dir, 'cert-p1.pdf');
    await signPdf(FIXTURE, locked, { signer, certify: 1 });
    const out = path.join(dir, 'cert-p1-2.pdf');
    await expect(signPdf(locked, out, { signer })).rejects.toMatchObject({ code: 'signCertifiedNoChanges', params: { path: locked } });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.kyso-'))).toEqual([]);
  });
});

function widgetRect(file: string): number[] {
  const text = readFileSync(file).toString('latin1');
  const m = [...text.matchAll(/\/FT\s*\/Sig[\s\S]{0,400}?\/Rect\s*\[([^\]]+)\]/g)].at(-1)!;
  return m[1]!.trim().split(/\s+/).map(Number);
}
