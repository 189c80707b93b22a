/**
 * TrueType font embedding for appearances: a Type0 / CIDFontType2 font with Identity-H, a
 * FontFile2 subset of only the glyphs used, /W widths and a ToUnicode CMap (so text stays
 * searchable and copyable). Bundled: Liberation Serif 2 (metric-compatible with Times New
 * Roman, full Vietnamese coverage, SIL OFL; see resources/fonts/LICENSE-LiberationFonts.txt).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import type { Font, Glyph } from '@pdf-lib/fontkit';
import { KysoError } from '../api/errors.js';
import { resourcePath } from '../../resources/paths.js';
import { PdfDict, PdfStream, PdfString, name, type PdfObject, type PdfRef } from './objects.js';

/** The bundled styles. */
export type FontStyle = 'regular' | 'bold' | 'italic';

const FILES: Record<FontStyle, string> = {
  regular: 'LiberationSerif-Regular.ttf',
  bold: 'LiberationSerif-Bold.ttf',
  italic: 'LiberationSerif-Italic.ttf',
};

/** Anything that can take new objects: IncrementalUpdate satisfies it. */
export interface ObjectSink {
  add(obj: PdfObject): PdfRef;
}

/** One shaped glyph: font glyph, advance in 1000-unit text space, the text it stands for. */
export interface ShapedGlyph {
  glyph: Glyph;
  width: number;
  codePoints: number[];
}

const parsed = new Map<string, Promise<{ font: Font; bytes: Buffer }>>();

/** A font being embedded: shape and encode text, then write it once with toPdf(). */
export class EmbeddedFont {
  private readonly subset;
  /** Original glyph id -> CID (the subset's glyph id) and its text. */
  private readonly used = new Map<number, { cid: number; width: number; codePoints: number[] }>();

  private constructor(
    readonly font: Font,
    readonly label: string,
  ) {
    this.subset = font.createSubset();
  }

  /** Loads a bundled Liberation Serif style (the parsed font is cached; the subset is not). */
  static async load(style: FontStyle = 'regular'): Promise<EmbeddedFont> {
    return EmbeddedFont.fromFile(resourcePath('fonts', FILES[style]));
  }

  /** Loads any TrueType font file. */
  static async fromFile(path: string): Promise<EmbeddedFont> {
    let p = parsed.get(path);
    if (!p) {
      p = readFile(path).then((bytes) => ({ bytes, font: fontkit.create(bytes) }));
      parsed.set(path, p);
      p.catch(() => parsed.delete(path));
    }
    try {
      const { font } = await p;
      return new EmbeddedFont(font, path);
    } catch (e) {
      throw new KysoError('pdfFont', { font: path, detail: (e as Error).message }, { cause: e });
    }
  }

  /** Scale from font units to 1000-unit text space. */
  private get k(): number {
    return 1000 / this.font.unitsPerEm;
  }
  /** Ascent in 1000-unit text space (multiply by size/1000 for points). */
  get ascent(): number {
    return this.font.ascent * this.k;
  }
  /** Descent (negative) in 1000-unit text space. */
  get descent(): number {
    return this.font.descent * this.k;
  }

  /**
   * Maps NFC-normalized text to glyphs one code point at a time (Liberation Serif has every
   * Vietnamese letter precomposed; no kerning or ligatures). The text of each glyph is the code
   * point itself, not fontkit's Glyph.codePoints: glyph objects are cached per parsed font with
   * the characters of their first use, and a glyph first met as a component of another (U in
   * Ủ, while a subset was written) keeps an empty list, which lost "U" from the next stamp's
   * ToUnicode map.
   */
  shape(text: string): ShapedGlyph[] {
    return [...text.normalize('NFC')].map((ch) => {
      const cp = ch.codePointAt(0)!;
      const glyph = this.font.glyphForCodePoint(cp);
      return { glyph, width: glyph.advanceWidth * this.k, codePoints: [cp] };
    });
  }

  /** Width of `text` in points at `size`. */
  widthOf(text: string, size: number): number {
    return (this.shape(text).reduce((s, g) => s + g.width, 0) * size) / 1000;
  }

  /** True when every character of `text` has a glyph. */
  covers(text: string): boolean {
    return [...text.normalize('NFC')].every((c) => /\s/.test(c) || this.font.hasGlyphForCodePoint(c.codePointAt(0)!));
  }

  /** Encodes text as a hex string operand (2-byte CIDs) for Tj, adding glyphs to the subset. */
  encode(text: string): PdfString {
    const cids: number[] = [];
    for (const g of this.shape(text)) {
      let u = this.used.get(g.glyph.id);
      if (!u) {
        u = { cid: this.subset.includeGlyph(g.glyph), width: g.width, codePoints: g.codePoints };
        this.used.set(g.glyph.id, u);
      }
      cids.push(u.cid);
    }
    const b = Buffer.alloc(cids.length * 2);
    cids.forEach((c, i) => b.writeUInt16BE(c, i * 2));
    return new PdfString(b, true);
  }

  /** Writes the font objects (Type0, CIDFont, descriptor, FontFile2, ToUnicode); returns the Type0 ref. */
  async toPdf(sink: ObjectSink): Promise<PdfRef> {
    this.subset.includeGlyph(0); // .notdef is always CID 0
    const fontFile = await this.encodeSubset();
    const glyphs = [...this.used.values()].sort((a, b) => a.cid - b.cid);
    const tag = subsetTag(glyphs.map((g) => g.cid).join(',') + this.label);
    const base = `${tag}+${(this.font.postscriptName ?? 'Font').replace(/[^A-Za-z0-9-]/g, '')}`;
    const k = this.k;
    const bb = this.font.bbox;
    const file = this.sinkStream(sink, { Length1: fontFile.length }, fontFile);
    const descriptor = sink.add(new PdfDict({
      Type: name('FontDescriptor'),
      FontName: name(base),
      Flags: 32 | 2 | (this.font.italicAngle ? 64 : 0),
      FontBBox: [bb.minX * k, bb.minY * k, bb.maxX * k, bb.maxY * k].map(Math.round),
      ItalicAngle: this.font.italicAngle,
      Ascent: Math.round(this.ascent),
      Descent: Math.round(this.descent),
      CapHeight: Math.round((this.font.capHeight || this.font.ascent) * k),
      StemV: 80,
      FontFile2: file,
    }));
    const w: PdfObject[] = [];
    for (const g of glyphs) w.push(g.cid, [Math.round(g.width)]);
    const cid = sink.add(new PdfDict({
      Type: name('Font'),
      Subtype: name('CIDFontType2'),
      BaseFont: name(base),
      CIDSystemInfo: new PdfDict({ Registry: PdfString.latin1('Adobe'), Ordering: PdfString.latin1('Identity'), Supplement: 0 }),
      FontDescriptor: descriptor,
      DW: 1000,
      W: w,
      CIDToGIDMap: name('Identity'),
    }));
    const toUnicode = this.sinkStream(sink, {}, Buffer.from(toUnicodeCMap(glyphs), 'latin1'));
    return sink.add(new PdfDict({
      Type: name('Font'),
      Subtype: name('Type0'),
      BaseFont: name(base),
      Encoding: name('Identity-H'),
      DescendantFonts: [cid],
      ToUnicode: toUnicode,
    }));
  }

  private sinkStream(sink: ObjectSink, extra: Record<string, PdfObject>, data: Uint8Array): PdfRef {
    const z = deflateSync(data);
    return sink.add(PdfStream.of(new PdfDict({ ...extra, Filter: name('FlateDecode') }), z));
  }

  private encodeSubset(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      try {
        this.subset
          .encodeStream()
          .on('data', (d) => chunks.push(d))
          .on('end', () => resolve(Buffer.concat(chunks)));
      } catch (e) {
        reject(new KysoError('pdfFont', { font: this.label, detail: (e as Error).message }, { cause: e }));
      }
    });
  }
}

/** Six uppercase letters derived from the subset, as PDF subset names require. */
function subsetTag(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  return [...h.subarray(0, 6)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
}

/** A ToUnicode CMap mapping each CID to its UTF-16BE text. */
export function toUnicodeCMap(glyphs: { cid: number; codePoints: number[] }[]): string {
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  const lines: string[] = [];
  const mapped = glyphs.filter((g) => g.codePoints.length > 0);
  for (let i = 0; i < mapped.length; i += 100) {
    const chunk = mapped.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`);
    for (const g of chunk) {
      const u = Buffer.from(String.fromCodePoint(...g.codePoints), 'utf16le').swap16().toString('hex');
      lines.push(`<${hex4(g.cid)}> <${u}>`);
    }
    lines.push('endbfchar');
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...lines,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}
