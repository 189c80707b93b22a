/**
 * The blanks a Vietnamese administrative letter leaves for the clerk who issues it (Decree 30,
 * appendix I): the number in "Số:    /UBND-VP" and the date in "…, ngày    tháng    năm …".
 * Found as text on the page; the issuing signature writes into them in the letter's own font
 * size, as a handwritten number and date would be on paper.
 */
import type { FontStyle } from '../pdf/font.js';
import type { Box } from './placement.js';
import type { Glyph, PageText } from './page-text.js';

/** One blank to fill. */
export interface Blank {
  kind: 'number' | 'day' | 'month' | 'year';
  /** Free space between the neighbouring words (displayed coordinates). */
  box: Box;
  /** Baseline of the line, and the letter's font size and style there. */
  baseline: number;
  size: number;
  style: FontStyle;
  /** The text to write. */
  text: string;
  /** Room to keep free on each side (a word space), as a fraction of the size. */
  spaceBefore: boolean;
  spaceAfter: boolean;
}

/** A date split for the letter's date line. */
export interface LetterDate {
  day: number;
  month: number;
  year: number;
}

/** Reads `dd/mm/yyyy` or `yyyy-mm-dd`; null when it is neither or not a real day. */
export function parseLetterDate(s: string): LetterDate | null {
  const t = s.trim();
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (!m) return null;
  const [day, month, year] = m[1]!.length === 4 ? [Number(m[3]), Number(m[2]), Number(m[1])] : [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { day, month, year };
}

/** Day as Decree 30 writes it: a leading zero below 10 ("ngày 05"). */
export function dayText(day: number): string {
  return String(day).padStart(2, '0');
}

/** Month as Decree 30 writes it: a leading zero only for January and February ("tháng 02", "tháng 3"). */
export function monthText(month: number): string {
  return month <= 2 ? String(month).padStart(2, '0') : String(month);
}

/** The number part of "125/UBND-VP" (the letter already prints the notation after the blank). */
export function numberPart(documentNumber: string): string {
  return documentNumber.split('/')[0]!.trim();
}

function styleOf(g: Glyph): FontStyle {
  if (/italic|oblique/i.test(g.font)) return 'italic';
  if (/bold/i.test(g.font)) return 'bold';
  return 'regular';
}

const right = (g: Glyph) => g.box[0] + g.box[2];

/** The word (touching glyphs) starting at index i of a line. */
function wordFrom(line: Glyph[], i: number): Glyph[] {
  const out = [line[i]!];
  for (let k = i + 1; k < line.length && line[k]!.box[0] - right(line[k - 1]!) < line[k]!.size * 0.12; k++) out.push(line[k]!);
  return out;
}

const textOf = (gs: Glyph[]) => gs.map((g) => g.text).join('').normalize('NFC');

/** The line glyphs after `g` (left to right). */
function after(text: PageText, g: Glyph): Glyph[] {
  return text.lineOf(g).filter((o) => o.box[0] >= right(g) - 0.1 && o !== g);
}

/** A blank between `left` and `right` glyphs (or open-ended after `left`). */
function blankBetween(kind: Blank['kind'], left: Glyph, next: Glyph | undefined, value: string, spaceAfter: boolean): Blank {
  const x0 = right(left);
  const x1 = next ? next.box[0] : x0 + left.size * 3;
  const y0 = Math.min(left.box[1], next?.box[1] ?? left.box[1]);
  const y1 = Math.max(left.box[1] + left.box[3], next ? next.box[1] + next.box[3] : 0);
  return { kind, box: [x0, y0, x1 - x0, y1 - y0], baseline: left.oy, size: left.size, style: styleOf(next ?? left), text: value, spaceBefore: true, spaceAfter };
}

/** The number blank: "Số:" followed on its line, after a space, by the notation's "/". */
export function findNumberBlank(text: PageText, documentNumber: string): Blank | null {
  const value = numberPart(documentNumber);
  if (!value) return null;
  for (const run of text.find('Số:')) {
    const colon = run.glyphs.at(-1)!;
    const next = after(text, colon)[0];
    if (!next || !next.text.startsWith('/')) continue;
    if (next.box[0] - right(colon) < colon.size * 0.4) continue; // already filled
    return blankBetween('number', colon, next, value, false);
  }
  return null;
}

/** The date blanks: "ngày" ⎵ "tháng" ⎵ "năm" [⎵] on one line (the top-most such line). */
export function findDateBlanks(text: PageText, date: LetterDate): Blank[] {
  for (const run of text.find('ngày')) {
    const ngay = run.glyphs.at(-1)!;
    const rest = after(text, ngay);
    if (!rest.length) continue;
    const gap = (a: Glyph, b: Glyph) => b.box[0] - right(a);
    const thang = wordFrom(rest, 0);
    if (textOf(thang).toLowerCase() !== 'tháng' || gap(ngay, thang[0]!) < ngay.size * 0.6) continue;
    const afterThang = rest.slice(thang.length);
    if (!afterThang.length) continue;
    const nam = wordFrom(afterThang, 0);
    if (textOf(nam).toLowerCase() !== 'năm' || gap(thang.at(-1)!, nam[0]!) < ngay.size * 0.6) continue;
    const out = [
      blankBetween('day', ngay, thang[0], dayText(date.day), true),
      blankBetween('month', thang.at(-1)!, nam[0], monthText(date.month), true),
    ];
    const yearNext = afterThang[nam.length];
    // A letter that leaves the year open too: "năm" at the end of the line or before a gap.
    if (!yearNext || gap(nam.at(-1)!, yearNext) >= ngay.size * 0.6) {
      const b = blankBetween('year', nam.at(-1)!, yearNext, String(date.year), Boolean(yearNext));
      out.push(b);
    }
    return out;
  }
  return [];
}
