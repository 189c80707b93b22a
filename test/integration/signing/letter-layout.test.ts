/**
 * An issued letter looks the way Decree 30 says (issue 14, points 1-3), checked with poppler:
 * the approval image sits between the position title and the name, never over them; the
 * issuing signature writes the number into "Số: …/UBND-VP" and the date into "ngày … tháng …
 * năm …" on their own lines (pdftotext -layout), the seal at real size over the left third of
 * the approval image, and no text of either stamp touches the letter's text (pdftotext -bbox).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { PdfFile } from '../../../main/pdf/reader.js';
import { layoutAppearance } from '../../../main/signing/appearance-layout.js';
import { signPdf } from '../../../main/signing/pades.js';
import { isoVietnam } from '../../../main/signing/time.js';
import { validatePdf } from '../../../main/validation/index.js';
import { createLocalPki, type LocalPki } from './local-pki.js';
import { makeNssDb, pdfsig, pdfsigBlocks } from './oracles.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
const SIG = path.resolve('test/fixtures/signature.png');
const SEAL = path.resolve('test/fixtures/seal.png');
const ORG = 'Ủy ban nhân dân tỉnh Kyso';
/** Signing time: after the test certificates were made, to the second (the stamp shows it in ISO 8601). */
let TIME: Date;
let dir: string;
let pki: LocalPki;
let signer: Signer;
let approved: string;
let issued: string;

/** A word as pdftotext -bbox reports it, converted to PDF coordinates (origin bottom-left). */
interface Word {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function words(file: string): Word[] {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  const height = Number(/<page width="[\d.]+" height="([\d.]+)"/.exec(xml)![1]);
  return [...xml.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</g)].map((m) => ({
    text: m[5]!,
    x0: Number(m[1]),
    x1: Number(m[3]),
    y0: height - Number(m[4]),
    y1: height - Number(m[2]),
  }));
}

const overlap = (a: Word, b: Word, slack = 0.3) => a.x0 < b.x1 - slack && b.x0 < a.x1 - slack && a.y0 < b.y1 - slack && b.y0 < a.y1 - slack;
const same = (a: Word, b: Word) => a.text === b.text && Math.abs(a.x0 - b.x0) < 0.01 && Math.abs(a.y0 - b.y0) < 0.01;

/** Words of `after` that `before` did not have, each with every word it overlaps. */
function newOverlaps(before: string, after: string): string[] {
  const old = words(before);
  const all = words(after);
  const added = all.filter((w) => !old.some((o) => same(o, w)));
  return added.flatMap((w) => all.filter((o) => o !== w && overlap(w, o)).map((o) => `${w.text} × ${o.text}`));
}

/** The box of the line that starts with word `first` (right of x `after`): poppler splits some words. */
function lineBox(file: string, first: string, after = 0): Word {
  const ws = words(file);
  const start = ws.find((w) => w.text === first && w.x0 >= after)!;
  const found = ws.filter((w) => Math.abs(w.y0 - start.y0) < 3 && w.x0 >= start.x0 - 1 && w.x0 < start.x0 + 150);
  return { text: first, x0: Math.min(...found.map((w) => w.x0)), y0: Math.min(...found.map((w) => w.y0)), x1: Math.max(...found.map((w) => w.x1)), y1: Math.max(...found.map((w) => w.y1)) };
}

function widgetRects(file: string): number[][] {
  const text = readFileSync(file).toString('latin1');
  return [...text.matchAll(/\/FT\s*\/Sig[\s\S]{0,400}?\/Rect\s*\[([^\]]+)\]/g)].map((m) => m[1]!.trim().split(/\s+/).map(Number));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-letter-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  signer = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
  TIME = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
  approved = path.join(dir, 'approved.pdf');
  issued = path.join(dir, 'issued.pdf');
  await signPdf(FIXTURE, approved, { signer, appearance: { role: 'approval', image: SIG }, placement: { anchor: 'PHÓ CHỦ TỊCH' }, signingTime: TIME });
  const r = await signPdf(approved, issued, { signer, appearance: { role: 'issuing', sealImage: SEAL, organization: ORG, documentNumber: '125/UBND-VP', documentDate: '05/12/2026' }, signingTime: TIME });
  expect(r.warnings).toEqual([]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a letter signed and issued as Decree 30 says', () => {
  it('puts the approval image between the title and the name, over neither, and draws no text', () => {
    const title = lineBox(FIXTURE, 'PHÓ');
    const name = lineBox(FIXTURE, 'Văn', 300);
    const [x0, y0, x1, y1] = widgetRects(approved)[0]!;
    expect(y1!).toBeLessThanOrEqual(title.y0);
    expect(y0!).toBeGreaterThanOrEqual(name.y1);
    expect((x0! + x1!) / 2).toBeCloseTo((title.x0 + title.x1) / 2, 0);
    // The image fills most of the free band (not a token-sized stamp).
    expect(y1! - y0!).toBeGreaterThan((title.y0 - name.y1) * 0.8);
    expect(execFileSync('pdftotext', ['-layout', approved, '-'], { encoding: 'utf8' })).toBe(execFileSync('pdftotext', ['-layout', FIXTURE, '-'], { encoding: 'utf8' }));
  });

  it('writes the number and the date into the blanks, on their lines, in the letter\'s size', () => {
    const lines = execFileSync('pdftotext', ['-layout', issued, '-'], { encoding: 'utf8' }).split('\n');
    expect(lines.some((l) => /^\s*Số: 125\/UBND-VP\s{2,}Kyso, ngày 05 tháng 12 năm 2026\s*$/.test(l))).toBe(true);
    // The letter's size: the number's box as tall as the words around it (within 10%).
    const ws = words(issued);
    const num = ws.find((w) => w.text === '125')!;
    const so = ws.find((w) => w.text === 'Số:')!;
    expect(Math.abs(num.y0 - so.y0)).toBeLessThan(1);
    expect(num.y1 - num.y0).toBeGreaterThan((so.y1 - so.y0) * 0.9);
    const day = ws.find((w) => w.text === '05' && w.y0 > 700)!;
    const ngay = ws.find((w) => w.text === 'ngày' && w.y0 > 700)!;
    expect(day.y1 - day.y0).toBeGreaterThan((ngay.y1 - ngay.y0) * 0.95);
  });

  it('adds no text that overlaps the letter\'s text (pdftotext -bbox)', () => {
    expect(newOverlaps(FIXTURE, approved)).toEqual([]);
    const before = words(approved);
    const added = words(issued).filter((w) => !before.some((o) => same(o, w))).map((w) => w.text);
    expect(added).toEqual(expect.arrayContaining(['125', '05', '12', 'Ủy', isoVietnam(TIME)]));
    expect(newOverlaps(approved, issued)).toEqual([]);
  });

  it('puts the seal at real size over the left third of the approval image, with the organization and ISO time', async () => {
    const [ax0, ay0, ax1, ay1] = widgetRects(approved)[0]!;
    const pdf = await PdfFile.open(approved);
    try {
      const layout = await layoutAppearance(pdf, { signingTime: TIME, signerName: 'x', appearance: { role: 'issuing', sealImage: SEAL, organization: ORG } });
      const stamp = layout.parts[0]!;
      const seal = stamp.items.find((i) => i.kind === 'image')!;
      if (seal.kind !== 'image') throw new Error('no seal');
      const [sx, sy, sw, sh] = [seal.box[0] + stamp.box[0], seal.box[1] + stamp.box[1], seal.box[2], seal.box[3]];
      expect(sw).toBeCloseTo((36 * 72) / 25.4, 1);
      expect(sh).toBeCloseTo(sw, 1);
      expect(sx + sw).toBeCloseTo(ax0! + (ax1! - ax0!) / 3, 1);
      expect(sy + sh / 2).toBeCloseTo((ay0! + ay1!) / 2, 1);
    } finally {
      await pdf.close();
    }
    const text = execFileSync('pdftotext', ['-layout', issued, '-'], { encoding: 'utf8' });
    expect(text).toContain(ORG);
    expect(text).toMatch(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00\b/);
    expect(text).toContain(isoVietnam(TIME));
  });

  it('keeps both signatures valid for poppler and for Kyso (the issuing update only adds a signature)', async () => {
    const nss = await makeNssDb(path.join(dir, 'nss'), pki.root.cert, [pki.intermediate.cert]);
    const blocks = pdfsigBlocks(await pdfsig(issued, nss));
    expect(blocks).toHaveLength(2);
    for (const b of blocks) expect(b).toContain('Signature is Valid.');
    const v = await validatePdf(issued, { trust: [readFileSync(pki.root.cert)], offline: true });
    for (const s of v.signatures) {
      expect(s.checks.filter((c) => c.result === 'fail').map((c) => c.code)).toEqual([]);
      expect(s.modifications.filter((m) => !m.allowed)).toEqual([]);
    }
  });

  it('writes the number and date beside the seal when the signer block is on another page, and says so', async () => {
    const two = path.join(dir, 'two-pages.pdf');
    execFileSync('qpdf', ['--empty', '--pages', FIXTURE, '1', FIXTURE, '1', '--', two]);
    const a2 = path.join(dir, 'two-approved.pdf');
    await signPdf(two, a2, { signer, appearance: { role: 'approval', image: SIG }, placement: { anchor: 'PHÓ CHỦ TỊCH' } });
    const i2 = path.join(dir, 'two-issued.pdf');
    const r = await signPdf(a2, i2, { signer, appearance: { role: 'issuing', sealImage: SEAL, organization: ORG, documentNumber: '125/UBND-VP', documentDate: '05/12/2026' } });
    expect(r.warnings.map((w) => w.code)).toEqual(['sign.warn.blanksOnOtherPage']);
    const page2 = execFileSync('pdftotext', ['-f', '2', '-l', '2', '-layout', i2, '-'], { encoding: 'utf8' });
    expect(page2).toContain('Số: 125/UBND-VP');
    expect(page2).toContain('Ngày: 05/12/2026');
    expect(newOverlaps(a2, i2)).toEqual([]);
  });

  it('refuses an issue date that is not a day, before writing anything', async () => {
    await expect(signPdf(approved, path.join(dir, 'bad.pdf'), { signer, appearance: { role: 'issuing', sealImage: SEAL, documentDate: '31/02/2026' } })).rejects.toMatchObject({ code: 'signBadDocumentDate' });
  });
});
