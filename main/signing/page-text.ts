/**
 * The text a viewer shows on one page, in displayed coordinates (origin bottom-left of the
 * visible page, after /Rotate): glyph boxes grouped into words and lines, for the placement
 * rules that read a letter's layout (the signer block, the number and date blanks) and for
 * keeping a stamp's own text off the page's text.
 */
import type { PageInfo } from '../pdf/pages.js';
import type { PdfFile } from '../pdf/reader.js';
import { extractVisibleGlyphs, type PlacedGlyph } from '../pdf/text-extract.js';
import { toDisplayPoint, type Box } from './placement.js';

/** One glyph in displayed coordinates. */
export interface Glyph {
  text: string;
  /** [x, y, w, h] from the bottom-left corner. */
  box: Box;
  /** Baseline origin. */
  ox: number;
  oy: number;
  size: number;
  font: string;
}

/** A run of glyphs found for a search, with its bounding box. */
export interface TextRun {
  glyphs: Glyph[];
  box: Box;
}

/** The union of boxes. */
export function unionBox(boxes: Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b[0]));
  const y0 = Math.min(...boxes.map((b) => b[1]));
  const x1 = Math.max(...boxes.map((b) => b[0] + b[2]));
  const y1 = Math.max(...boxes.map((b) => b[1] + b[3]));
  return [x0, y0, x1 - x0, y1 - y0];
}

/** True when two boxes overlap by more than `slack` points in both directions. */
export function intersects(a: Box, b: Box, slack = 0): boolean {
  return a[0] + a[2] - slack > b[0] && b[0] + b[2] - slack > a[0] && a[1] + a[3] - slack > b[1] && b[1] + b[3] - slack > a[1];
}

function toDisplay(page: PageInfo, g: PlacedGlyph): Glyph {
  const [ax, ay] = toDisplayPoint(page, g.x0, g.y0);
  const [bx, by] = toDisplayPoint(page, g.x1, g.y1);
  const [ox, oy] = toDisplayPoint(page, g.ox, g.oy);
  return { text: g.text, box: [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)], ox, oy, size: g.size, font: g.font };
}

/** The visible text of a page. */
export class PageText {
  private constructor(
    readonly page: PageInfo,
    /** Every visible glyph (spaces included), in content order. */
    readonly glyphs: Glyph[],
  ) {}

  /** Reads the page's content and annotation appearances. */
  static async read(pdf: PdfFile, page: PageInfo): Promise<PageText> {
    const raw = await extractVisibleGlyphs(pdf.resolver, page);
    return new PageText(page, raw.map((g) => toDisplay(page, g)));
  }

  /** A page text from glyphs already in displayed coordinates (tests, previews). */
  static of(page: PageInfo, glyphs: Glyph[]): PageText {
    return new PageText(page, glyphs);
  }

  /** Glyphs that draw something (not spaces). */
  get ink(): Glyph[] {
    return this.glyphs.filter((g) => g.text.trim() !== '' && g.box[2] > 0);
  }

  /**
   * Occurrences of `needle`, ignoring spaces (producers space words differently) and, when
   * nothing matches exactly, letter case. Top of the page first.
   */
  find(needle: string): TextRun[] {
    const chars: { ch: string; g: Glyph }[] = [];
    for (const g of this.ink) for (const ch of g.text.normalize('NFC')) if (!/\s/.test(ch)) chars.push({ ch, g });
    const want = needle.normalize('NFC').replace(/\s+/g, '');
    if (!want) return [];
    const hay = chars.map((c) => c.ch).join('');
    const search = (h: string, w: string): TextRun[] => {
      const out: TextRun[] = [];
      for (let i = h.indexOf(w); i >= 0; i = h.indexOf(w, i + 1)) {
        const gs = [...new Set(chars.slice(i, i + w.length).map((c) => c.g))];
        out.push({ glyphs: gs, box: unionBox(gs.map((g) => g.box)) });
      }
      return out;
    };
    const exact = search(hay, want);
    const found = exact.length ? exact : search(hay.toLowerCase(), want.toLowerCase());
    return found.sort((a, b) => b.box[1] - a.box[1]);
  }

  /** Glyphs on the same line as `g` (baseline within a third of its size), left to right. */
  lineOf(g: Glyph): Glyph[] {
    return this.ink.filter((o) => Math.abs(o.oy - g.oy) < g.size / 3).sort((a, b) => a.box[0] - b.box[0]);
  }

  /**
   * The top of the first text below `box` whose horizontal extent overlaps [x0, x1]: the
   * next line of the signer block (the signer's name under the title), or null.
   */
  nextLineBelow(box: Box, x0: number, x1: number): { top: number; run: Glyph[] } | null {
    const below = this.ink.filter((g) => g.box[1] + g.box[3] <= box[1] + 0.5 && g.box[0] < x1 && g.box[0] + g.box[2] > x0);
    if (!below.length) return null;
    const top = Math.max(...below.map((g) => g.box[1] + g.box[3]));
    const first = below.find((g) => g.box[1] + g.box[3] === top)!;
    return { top, run: below.filter((g) => Math.abs(g.oy - first.oy) < first.size / 3) };
  }

  /** True when `box` touches no visible glyph (`slack` points of tolerance). */
  isFree(box: Box, slack = 0.3): boolean {
    return !this.ink.some((g) => intersects(g.box, box, slack));
  }
}
