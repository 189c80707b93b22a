/**
 * Text extraction with positions, for anchor placement: runs a page's content streams (and the
 * form XObjects they draw), tracking CTM and text state (Tm/Td/TJ/Tf/cm...), and maps codes
 * to Unicode through ToUnicode CMaps (Identity-H subsets as Chromium writes them included).
 */
import { KysoError } from '../api/errors.js';
import { parseToUnicode } from './cmap.js';
import { PdfDict, PdfName, PdfStream, PdfString, type PdfObject } from './objects.js';
import type { PageInfo } from './pages.js';
import { Keyword, Parser } from './parser.js';
import type { PdfFile } from './reader.js';
import type { RevisionResolver } from './resolver.js';

/** One glyph drawn on the page, with its box in default user space. */
export interface PlacedGlyph {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Font size on the page (points, text matrix and CTM applied). */
  size: number;
  /** The glyph origin (on the baseline), in default user space. */
  ox: number;
  oy: number;
  /** /BaseFont of the font (e.g. `BAAAAA+LiberationSerif-Italic`), '' when unnamed. */
  font: string;
}

/** Where a text was found: its rectangle in default user space (x, y = lower-left corner). */
export interface TextMatch {
  page: number;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

type Matrix = [number, number, number, number, number, number];

interface FontInfo {
  name: string;
  twoByte: boolean;
  width: (code: number) => number;
  unicode: (code: number) => string;
  ascent: number;
  descent: number;
}

interface State {
  ctm: Matrix;
  font: FontInfo | null;
  size: number;
  tc: number;
  tw: number;
  th: number;
  tl: number;
  rise: number;
}

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
/** Bounds so a hostile content stream cannot hang the extractor. */
const MAX_OPS = 5_000_000;
const MAX_FORM_DEPTH = 10;

/** m1 × m2 for PDF row-vector matrices. */
export function mul(m1: Matrix, m2: Matrix): Matrix {
  const [a, b, c, d, e, f] = m1;
  const [A, B, C, D, E, F] = m2;
  return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F];
}

const apply = (m: Matrix, x: number, y: number): [number, number] => [x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]];

/** Runs the page's content and returns every glyph with its position. */
export async function extractGlyphs(r: RevisionResolver, page: PageInfo): Promise<PlacedGlyph[]> {
  const x = new Extractor(r);
  const contents = await r.resolve(page.dict.get('Contents'));
  const list = Array.isArray(contents) ? contents : contents ? [contents] : [];
  const parts: Buffer[] = [];
  for (const c of list) {
    const s = await r.resolve(c);
    if (s instanceof PdfStream) parts.push(Buffer.from(await r.decodeStream(s)), Buffer.from('\n'));
  }
  await x.run(Buffer.concat(parts), page.resources, [...IDENTITY], 0);
  return x.glyphs;
}

/**
 * The glyphs a viewer shows on the page: its content and the normal appearances of its
 * visible annotations (earlier signature stamps included), each mapped from its /BBox and
 * /Matrix onto its /Rect as ISO 32000 12.5.5 describes.
 */
export async function extractVisibleGlyphs(r: RevisionResolver, page: PageInfo): Promise<PlacedGlyph[]> {
  const out = await extractGlyphs(r, page);
  const annots = await r.resolve(page.dict.get('Annots'));
  for (const a of Array.isArray(annots) ? annots.slice(0, 500) : []) {
    try {
      const d = await r.dictOf(a);
      const flags = d ? await r.resolve(d.get('F')) : undefined;
      if (!d || (typeof flags === 'number' && (flags & 2) !== 0)) continue; // hidden
      const ap = await r.dictOf(d.get('AP'));
      let n = await r.resolve(ap?.get('N'));
      if (n instanceof PdfDict) {
        const as = await r.resolve(d.get('AS'));
        n = as instanceof PdfName ? await r.resolve(n.get(as.value)) : undefined;
      }
      const rect = await numbers(r, d.get('Rect'), 4);
      const bbox = n instanceof PdfStream ? await numbers(r, n.dict.get('BBox'), 4) : undefined;
      if (!(n instanceof PdfStream) || !rect || !bbox) continue;
      const m = ((await numbers(r, n.dict.get('Matrix'), 6)) ?? [...IDENTITY]) as Matrix;
      const corners = [apply(m, bbox[0]!, bbox[1]!), apply(m, bbox[2]!, bbox[1]!), apply(m, bbox[0]!, bbox[3]!), apply(m, bbox[2]!, bbox[3]!)];
      const bx0 = Math.min(...corners.map((c) => c[0]));
      const by0 = Math.min(...corners.map((c) => c[1]));
      const bw = Math.max(...corners.map((c) => c[0])) - bx0;
      const bh = Math.max(...corners.map((c) => c[1])) - by0;
      if (bw <= 0 || bh <= 0) continue;
      const rx0 = Math.min(rect[0]!, rect[2]!);
      const ry0 = Math.min(rect[1]!, rect[3]!);
      const sx = Math.abs(rect[2]! - rect[0]!) / bw;
      const sy = Math.abs(rect[3]! - rect[1]!) / bh;
      const toRect: Matrix = [sx, 0, 0, sy, rx0 - bx0 * sx, ry0 - by0 * sy];
      const x = new Extractor(r);
      const res = (await r.dictOf(n.dict.get('Resources'))) ?? new PdfDict();
      await x.run(await r.decodeStream(n), res, mul(m, toRect), 1);
      out.push(...x.glyphs);
    } catch {
      // An unreadable appearance hides nothing we could avoid: skip it.
    }
  }
  return out;
}

/** Finds every occurrence of `needle` on page `index` (whitespace and case insensitive fallback). */
export async function findText(pdf: PdfFile, index: number, needle: string): Promise<TextMatch[]> {
  const page = await pdf.page(index);
  const glyphs = await extractGlyphs(pdf.resolver, page);
  // Match on non-space characters so spacing differences between producers do not matter.
  const chars: { ch: string; g: PlacedGlyph }[] = [];
  for (const g of glyphs) for (const ch of g.text.normalize('NFC')) if (!/\s/.test(ch)) chars.push({ ch, g });
  const hay = chars.map((c) => c.ch).join('');
  const want = needle.normalize('NFC').replace(/\s+/g, '');
  if (!want) return [];
  const search = (h: string, w: string): TextMatch[] => {
    const out: TextMatch[] = [];
    for (let i = h.indexOf(w); i >= 0; i = h.indexOf(w, i + 1)) {
      const gs = [...new Set(chars.slice(i, i + w.length).map((c) => c.g))];
      const x0 = Math.min(...gs.map((g) => g.x0));
      const y0 = Math.min(...gs.map((g) => g.y0));
      const x1 = Math.max(...gs.map((g) => g.x1));
      const y1 = Math.max(...gs.map((g) => g.y1));
      out.push({ page: index, text: needle, x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
    }
    return out;
  };
  const exact = search(hay, want);
  // Lower-casing keeps string length for Vietnamese letters, so indexes stay aligned.
  return exact.length ? exact : search(hay.toLowerCase(), want.toLowerCase());
}

/** Like findText but throws pdfAnchorNotFound when the text is absent. */
export async function findAnchor(pdf: PdfFile, index: number, needle: string): Promise<TextMatch> {
  const m = await findText(pdf, index, needle);
  if (!m[0]) throw new KysoError('pdfAnchorNotFound', { text: needle, page: index + 1 });
  return m[0];
}

class Extractor {
  readonly glyphs: PlacedGlyph[] = [];
  private ops = 0;
  private readonly fonts = new Map<PdfObject, FontInfo>();
  constructor(private readonly r: RevisionResolver) {}

  async run(data: Uint8Array, resources: PdfDict, ctm: Matrix, depth: number): Promise<void> {
    const p = new Parser(data, 0, 0, true);
    const st: State = { ctm, font: null, size: 0, tc: 0, tw: 0, th: 1, tl: 0, rise: 0 };
    const stack: State[] = [];
    let tm: Matrix = [...IDENTITY];
    let tlm: Matrix = [...IDENTITY];
    const args: PdfObject[] = [];
    const fontRes = await this.r.dictOf(resources.get('Font'));
    const xobjRes = await this.r.dictOf(resources.get('XObject'));
    const num = (i: number): number => (typeof args[i] === 'number' ? (args[i] as number) : 0);
    const nextLine = (tx: number, ty: number): void => {
      tlm = mul([1, 0, 0, 1, tx, ty], tlm);
      tm = [...tlm];
    };
    const show = (s: PdfObject): void => {
      if (!(s instanceof PdfString) || !st.font) return;
      const f = st.font;
      const b = s.bytes;
      const step = f.twoByte ? 2 : 1;
      for (let i = 0; i + step <= b.length; i += step) {
        const code = f.twoByte ? b[i]! * 256 + b[i + 1]! : b[i]!;
        const w = f.width(code) / 1000;
        const trm = mul(mul([st.size * st.th, 0, 0, st.size, 0, st.rise], tm), st.ctm);
        const pts = [apply(trm, 0, f.descent / 1000), apply(trm, w, f.descent / 1000), apply(trm, 0, f.ascent / 1000), apply(trm, w, f.ascent / 1000)];
        const [ox, oy] = apply(trm, 0, 0);
        this.glyphs.push({
          text: f.unicode(code),
          x0: Math.min(...pts.map((q) => q[0])),
          y0: Math.min(...pts.map((q) => q[1])),
          x1: Math.max(...pts.map((q) => q[0])),
          y1: Math.max(...pts.map((q) => q[1])),
          size: Math.hypot(trm[2], trm[3]),
          ox,
          oy,
          font: f.name,
        });
        const tx = (w * st.size + st.tc + (!f.twoByte && code === 32 ? st.tw : 0)) * st.th;
        tm = mul([1, 0, 0, 1, tx, 0], tm);
      }
    };
    for (;;) {
      if (++this.ops > MAX_OPS) throw new KysoError('pdfLimit', { detail: 'content stream too long' });
      let t: PdfObject | Keyword;
      try {
        if (p.peek() < 0) break;
        t = p.parseAny();
      } catch {
        p.pos++; // skip a damaged token, as viewers do
        args.length = 0;
        continue;
      }
      if (!(t instanceof Keyword)) {
        if (args.length < 64) args.push(t);
        continue;
      }
      switch (t.value) {
        case 'q': stack.push({ ...st }); break;
        case 'Q': if (stack.length) Object.assign(st, stack.pop()); break;
        case 'cm': st.ctm = mul([num(0), num(1), num(2), num(3), num(4), num(5)], st.ctm); break;
        case 'BT': tm = [...IDENTITY]; tlm = [...IDENTITY]; break;
        case 'Tf': {
          st.size = num(1);
          const n = args[0];
          st.font = n instanceof PdfName && fontRes ? await this.font(fontRes.get(n.value)) : null;
          break;
        }
        case 'Tc': st.tc = num(0); break;
        case 'Tw': st.tw = num(0); break;
        case 'Tz': st.th = num(0) / 100; break;
        case 'TL': st.tl = num(0); break;
        case 'Ts': st.rise = num(0); break;
        case 'Td': nextLine(num(0), num(1)); break;
        case 'TD': st.tl = -num(1); nextLine(num(0), num(1)); break;
        case 'Tm': tlm = [num(0), num(1), num(2), num(3), num(4), num(5)]; tm = [...tlm]; break;
        case 'T*': nextLine(0, -st.tl); break;
        case 'Tj': show(args[0] ?? null); break;
        case "'": nextLine(0, -st.tl); show(args[0] ?? null); break;
        case '"': st.tw = num(0); st.tc = num(1); nextLine(0, -st.tl); show(args[2] ?? null); break;
        case 'TJ': {
          const arr = args[0];
          if (Array.isArray(arr)) {
            for (const it of arr) {
              if (typeof it === 'number') tm = mul([1, 0, 0, 1, (-it / 1000) * st.size * st.th, 0], tm);
              else show(it);
            }
          }
          break;
        }
        case 'ID': skipInlineImage(p); break;
        case 'Do': {
          const n = args[0];
          if (n instanceof PdfName && xobjRes && depth < MAX_FORM_DEPTH) {
            const xo = await this.r.resolve(xobjRes.get(n.value));
            if (xo instanceof PdfStream && xo.dict.getName('Subtype') === 'Form') {
              const m = await this.r.resolve(xo.dict.get('Matrix'));
              const fm: Matrix = Array.isArray(m) && m.length === 6 && m.every((v) => typeof v === 'number') ? (m as Matrix) : [...IDENTITY];
              const res = (await this.r.dictOf(xo.dict.get('Resources'))) ?? resources;
              await this.run(await this.r.decodeStream(xo), res, mul(fm, st.ctm), depth + 1);
            }
          }
          break;
        }
      }
      args.length = 0;
    }
  }

  private async font(ref: PdfObject | undefined): Promise<FontInfo | null> {
    if (ref === undefined) return null;
    const cached = this.fonts.get(ref);
    if (cached) return cached;
    const d = await this.r.dictOf(ref);
    if (!d) return null;
    const info = await loadFont(this.r, d);
    if (typeof ref === 'object' && ref !== null) this.fonts.set(ref, info);
    return info;
  }
}

/** Skips inline image data after `ID` up to `EI` (binary data would confuse the lexer). */
function skipInlineImage(p: Parser): void {
  const b = p.buf;
  for (let i = p.pos + 1; i + 2 <= b.length; i++) {
    if (b[i] === 0x45 && b[i + 1] === 0x49 && (i + 2 === b.length || b[i + 2]! <= 0x20) && b[i - 1]! <= 0x20) {
      p.pos = i + 2;
      return;
    }
  }
  p.pos = b.length;
}

async function loadFont(r: RevisionResolver, d: PdfDict): Promise<FontInfo> {
  const type0 = d.getName('Subtype') === 'Type0';
  let tu: Map<number, string> | null = null;
  const tus = await r.resolve(d.get('ToUnicode'));
  if (tus instanceof PdfStream) {
    try {
      tu = parseToUnicode(await r.decodeStream(tus)).map;
    } catch {
      tu = null; // unreadable map: fall back to the encoding
    }
  }
  let desc: PdfDict | undefined;
  let width: (c: number) => number;
  // Type3 glyph space maps to text space through /FontMatrix (not the usual 1/1000).
  const fm = d.getName('Subtype') === 'Type3' ? await numbers(r, d.get('FontMatrix'), 6) : undefined;
  if (type0) {
    const kids = await r.resolve(d.get('DescendantFonts'));
    const cid = Array.isArray(kids) ? await r.dictOf(kids[0]) : undefined;
    desc = await r.dictOf(cid?.get('FontDescriptor'));
    const dw = (await r.resolve(cid?.get('DW'))) as number | undefined;
    const widths = await cidWidths(r, cid?.get('W'));
    width = (c) => widths.get(c) ?? (typeof dw === 'number' ? dw : 1000);
  } else {
    desc = await r.dictOf(d.get('FontDescriptor'));
    const first = (await r.resolve(d.get('FirstChar'))) as number | undefined;
    const ws = await r.resolve(d.get('Widths'));
    const missing = (await r.resolve(desc?.get('MissingWidth'))) as number | undefined;
    width = (c) => {
      const v = Array.isArray(ws) && typeof first === 'number' ? ws[c - first] : undefined;
      return typeof v === 'number' ? v : typeof missing === 'number' ? missing : 500;
    };
  }
  const asc = await r.resolve(desc?.get('Ascent'));
  const dsc = await r.resolve(desc?.get('Descent'));
  const base = await r.resolve(d.get('BaseFont'));
  const name = base instanceof PdfName ? base.value : '';
  if (fm) {
    // Widths in glyph space, scaled by the matrix; the glyph box's vertical extent from /FontBBox.
    const bbox = await numbers(r, d.get('FontBBox'), 4);
    const ys = bbox ? [bbox[1]! * fm[3]! * 1000, bbox[3]! * fm[3]! * 1000] : [800, -200];
    const simple = width;
    return { name, twoByte: false, width: (c) => simple(c) * fm[0]! * 1000, unicode: (c) => tu?.get(c) ?? winAnsi(c), ascent: Math.max(...ys), descent: Math.min(...ys) };
  }
  return {
    name,
    twoByte: type0,
    width,
    unicode: (c) => tu?.get(c) ?? (type0 ? '\ufffd' : winAnsi(c)),
    ascent: typeof asc === 'number' && asc > 0 ? asc : 800,
    descent: typeof dsc === 'number' && dsc < 0 ? dsc : -200,
  };
}

/** WinAnsiEncoding differs from Latin-1 only in 0x80-0x9F (quotes, dashes, euro...). */
const WIN_ANSI_80 = '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

/** Text of a simple-font code without ToUnicode (WinAnsi, the common case). */
function winAnsi(c: number): string {
  return c >= 0x80 && c <= 0x9f ? WIN_ANSI_80[c - 0x80]! : String.fromCharCode(c);
}

/** An array of `n` numbers, or undefined. */
async function numbers(r: RevisionResolver, o: PdfObject | undefined, n: number): Promise<number[] | undefined> {
  const v = await r.resolve(o);
  if (!Array.isArray(v) || v.length !== n) return undefined;
  const out = await Promise.all(v.map((x) => r.resolve(x)));
  return out.every((x): x is number => typeof x === 'number') ? out : undefined;
}

/** Parses a CIDFont /W array: `c [w1 w2 ...]` and `cFirst cLast w` forms. */
async function cidWidths(r: RevisionResolver, wObj: PdfObject | undefined): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const w = await r.resolve(wObj);
  if (!Array.isArray(w)) return out;
  for (let i = 0; i < w.length; ) {
    const a = await r.resolve(w[i]);
    const b = await r.resolve(w[i + 1]);
    if (typeof a !== 'number') break;
    if (Array.isArray(b)) {
      b.forEach((v, k) => typeof v === 'number' && out.set(a + k, v));
      i += 2;
    } else {
      const v = await r.resolve(w[i + 2]);
      if (typeof b !== 'number' || typeof v !== 'number') break;
      for (let c = a; c <= Math.min(b, a + 65535); c++) out.set(c, v);
      i += 3;
    }
  }
  return out;
}
