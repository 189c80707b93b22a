/**
 * The validation report as a PDF (pdf-lib + fontkit, Liberation Serif so Vietnamese
 * diacritics render). Same lines as the CLI report (lines.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont } from '@cantoo/pdf-lib';
import { t, type Lang } from '../../../resources/locales/index.js';
import { resourcePath } from '../../../resources/paths.js';
import type { FileResult } from '../types.js';
import { fileLines, humanTime, type ReportLine } from './lines.js';

const SYSTEM_FONTS = '/usr/share/fonts/truetype/liberation';

function fontBytes(file: string): Buffer {
  const bundled = resourcePath('fonts', file);
  return readFileSync(existsSync(bundled) ? bundled : `${SYSTEM_FONTS}/${file}`);
}

const COLORS = {
  title: rgb(0, 0, 0),
  heading: rgb(0, 0, 0),
  normal: rgb(0.1, 0.1, 0.1),
  pass: rgb(0, 0.45, 0.1),
  fail: rgb(0.75, 0, 0),
  warn: rgb(0.7, 0.4, 0),
};

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(/(\s+)/)) {
    const next = cur + word;
    if (cur && font.widthOfTextAtSize(next.trimEnd(), size) > width) {
      out.push(cur.trimEnd());
      cur = word.trimStart();
      // A single over-long token (a path or fingerprint) is cut hard.
      while (font.widthOfTextAtSize(cur, size) > width && cur.length > 1) {
        let n = cur.length;
        while (n > 1 && font.widthOfTextAtSize(cur.slice(0, n), size) > width) n--;
        out.push(cur.slice(0, n));
        cur = cur.slice(n);
      }
    } else cur = next;
  }
  if (cur.trim()) out.push(cur.trimEnd());
  return out.length ? out : [''];
}

/** Renders the report for some files in `lang`; returns the PDF bytes. */
export async function renderReportPdf(files: FileResult[], lang: Lang, generatedAt = new Date()): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  // Full fonts: @cantoo/pdf-lib's subsetter fails with @pdf-lib/fontkit (stream.pos undefined).
  const regular = await doc.embedFont(fontBytes('LiberationSerif-Regular.ttf'), { subset: false });
  const bold = await doc.embedFont(fontBytes('LiberationSerif-Bold.ttf'), { subset: false });
  doc.setTitle(t(lang, 'verify.report.title'));
  doc.setLanguage(lang === 'vi' ? 'vi-VN' : 'en-GB');
  const [W, H, M] = [595.28, 841.89, 50];
  let page = doc.addPage([W, H]);
  let y = H - M;
  const lines: ReportLine[] = [
    { text: t(lang, 'verify.report.title'), indent: 0, style: 'title' },
    { text: `${t(lang, 'verify.report.generated')}: ${humanTime(lang, generatedAt.toISOString())}`, indent: 0, style: 'normal' },
  ];
  for (const f of files) lines.push({ text: '', indent: 0, style: 'normal' }, ...fileLines(lang, f));
  for (const l of lines) {
    const size = l.style === 'title' ? 15 : l.style === 'heading' ? 11 : 10;
    const font = l.style === 'title' || l.style === 'heading' || l.indent === 0 ? bold : regular;
    const x = M + l.indent * 14;
    for (const part of wrap(l.text, font, size, W - M - x)) {
      if (y < M + size) {
        page = doc.addPage([W, H]);
        y = H - M;
      }
      page.drawText(part, { x, y: y - size, size, font, color: COLORS[l.style] });
      y -= size * 1.35;
    }
  }
  return doc.save();
}
