/**
 * The outside body's reply letter: a one-page công văn laid out as Decree 30 says (body and
 * motto headers, number, date, subject line, recipient, text, signer block), made with
 * pdf-lib and Liberation Serif, then signed with the body's key by Kyso's own engine (an
 * issuing signature: organization name and ISO time).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from '@cantoo/pdf-lib';
import { signPdf } from '../../../main/signing/pades.js';
import type { Signer } from '../../../main/pki/signer.js';
import { resourcePath } from '../../../resources/paths.js';

/** What goes on the letter. */
export interface LetterText {
  body: { upper: string; lower: string; abbreviation: string; place: string };
  number: string;
  date: Date;
  subjectLine: string;
  to: string;
  paragraphs: string[];
  signerTitle: string;
  signerName: string;
}

/** Writes the letter to `unsigned`, then its signed version to `signed`. */
export async function writeReplyLetter(t: LetterText, unsigned: string, signed: string, signer: Signer, tsaUrl?: string): Promise<void> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  // Whole fonts: pdf-lib's subsetter fails on Liberation Serif (fontkit's UMD build).
  const regular = await doc.embedFont(readFileSync(resourcePath('fonts', 'LiberationSerif-Regular.ttf')));
  const bold = await doc.embedFont(readFileSync(resourcePath('fonts', 'LiberationSerif-Bold.ttf')));
  const italic = regular;
  const page = doc.addPage([595.28, 841.89]);
  const black = rgb(0, 0, 0);
  const center = (s: string, cx: number, y: number, size: number, font = regular) => page.drawText(s, { x: cx - font.widthOfTextAtSize(s, size) / 2, y, size, font, color: black });
  const d = new Date(t.date.getTime() + 7 * 3600_000);
  center(t.body.upper, 160, 780, 12);
  center(t.body.lower, 160, 765, 12, bold);
  center(`Số: ${t.number}/${t.body.abbreviation}`, 160, 740, 13);
  center(t.subjectLine, 160, 722, 11);
  center('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 400, 780, 12, bold);
  center('Độc lập - Tự do - Hạnh phúc', 400, 765, 13, bold);
  center(`${t.body.place}, ngày ${String(d.getUTCDate()).padStart(2, '0')} tháng ${d.getUTCMonth() + 1 <= 2 ? String(d.getUTCMonth() + 1).padStart(2, '0') : d.getUTCMonth() + 1} năm ${d.getUTCFullYear()}`, 400, 740, 13, italic);
  center(`Kính gửi: ${t.to}.`, 297, 690, 14);
  let y = 655;
  for (const para of t.paragraphs) {
    const words = para.split(' ');
    let line = '    ';
    for (const w of words) {
      const tryLine = `${line}${line.trim() ? ' ' : ''}${w}`;
      if (regular.widthOfTextAtSize(tryLine, 14) > 470) {
        page.drawText(line, { x: 70, y, size: 14, font: regular, color: black });
        y -= 20;
        line = w;
      } else line = tryLine;
    }
    page.drawText(line, { x: 70, y, size: 14, font: regular, color: black });
    y -= 26;
  }
  center(t.signerTitle, 400, y - 10, 13, bold);
  center(t.signerName, 400, y - 110, 13, bold);
  await writeFile(unsigned, await doc.save());
  await signPdf(unsigned, signed, {
    signer,
    level: tsaUrl ? 'B-T' : 'B-B',
    ...(tsaUrl ? { tsa: { url: tsaUrl } } : {}),
    appearance: { role: 'issuing', organization: `${t.body.upper} ${t.body.lower}`.replace(/\s+/g, ' ') },
    placement: { anchor: t.signerTitle },
  });
}
