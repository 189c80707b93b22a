/** Text layout for appearances: measure, wrap into a box, fit a size, emit content operators. */
import type { EmbeddedFont } from './font.js';
import { formatNumber, serializeObject } from './serialize.js';

/** One laid-out line. */
export interface LayoutLine {
  text: string;
  /** Width in points at the layout size. */
  width: number;
}

/** Wraps text into lines no wider than `maxWidth` points (explicit newlines kept; long words split). */
export function wrapText(font: EmbeddedFont, text: string, size: number, maxWidth: number): LayoutLine[] {
  const lines: LayoutLine[] = [];
  const push = (t: string): void => {
    lines.push({ text: t, width: font.widthOf(t, size) });
  };
  for (const para of text.normalize('NFC').split(/\r?\n/)) {
    let cur = '';
    for (const word of para.split(/ +/)) {
      const tryLine = cur ? `${cur} ${word}` : word;
      if (font.widthOf(tryLine, size) <= maxWidth) {
        cur = tryLine;
        continue;
      }
      if (cur) push(cur);
      // A word wider than the box is broken between characters (keeping combining marks).
      let piece = '';
      for (const ch of Array.from(word)) {
        if (piece && font.widthOf(piece + ch, size) > maxWidth) {
          push(piece);
          piece = '';
        }
        piece += ch;
      }
      cur = piece;
    }
    push(cur);
  }
  return lines;
}

/** Options for fitText. */
export interface FitOptions {
  maxSize?: number;
  minSize?: number;
  /** Line height as a multiple of the size (default 1.2). */
  lineHeight?: number;
}

/** Picks the largest size (down to minSize) at which the wrapped text fits `width` x `height`. */
export function fitText(font: EmbeddedFont, text: string, width: number, height: number, opts: FitOptions = {}): { size: number; lines: LayoutLine[] } {
  const lh = opts.lineHeight ?? 1.2;
  const min = opts.minSize ?? 4;
  for (let size = opts.maxSize ?? 12; size >= min; size -= 0.5) {
    const lines = wrapText(font, text, size, width);
    if (lines.length * size * lh <= height && lines.every((l) => l.width <= width)) return { size, lines };
  }
  return { size: min, lines: wrapText(font, text, min, width) };
}

/** Options for textOps. */
export interface TextOpsOptions {
  /** Left of the box and top of the first line (baseline = top - ascent). */
  x: number;
  top: number;
  size: number;
  /** Box width, for center/right alignment. */
  width?: number;
  align?: 'left' | 'center' | 'right';
  lineHeight?: number;
  /** RGB 0..1. */
  color?: [number, number, number];
}

/** Content-stream operators drawing `lines` with the font registered under `resName`. */
export function textOps(font: EmbeddedFont, resName: string, lines: LayoutLine[], o: TextOpsOptions): string {
  const f = formatNumber;
  const lh = (o.lineHeight ?? 1.2) * o.size;
  const [r, g, b] = o.color ?? [0, 0, 0];
  const out = ['BT', `${f(r)} ${f(g)} ${f(b)} rg`, `/${resName} ${f(o.size)} Tf`];
  let y = o.top - (font.ascent * o.size) / 1000;
  for (const line of lines) {
    const w = o.width ?? line.width;
    const dx = o.align === 'center' ? (w - line.width) / 2 : o.align === 'right' ? w - line.width : 0;
    out.push(`1 0 0 1 ${f(o.x + dx)} ${f(y)} Tm`, `${serializeObject(font.encode(line.text))} Tj`);
    y -= lh;
  }
  out.push('ET');
  return out.join('\n');
}
