/**
 * Draws a signature's appearance for its Decree 30 role (approval, issuing, attachment, copy,
 * incoming) or the initials mark (ký nháy) from its layout (appearance-layout.ts): the embedded Liberation Serif subsets, the
 * PNG images (alpha kept as SMask), one form XObject per widget. Invisible signatures get a
 * zero rectangle.
 */
import { KysoError } from '../api/errors.js';
import type { FontStyle } from '../pdf/font.js';
import type { PdfRef } from '../pdf/objects.js';
import type { PageInfo } from '../pdf/pages.js';
import { embedPng } from '../pdf/png.js';
import type { PdfFile } from '../pdf/reader.js';
import { formatNumber as f, serializeObject } from '../pdf/serialize.js';
import type { IncrementalUpdate } from '../pdf/writer.js';
import { ResourceBuilder, drawXObject, formXObject } from '../pdf/xobject.js';
import { Fonts, layoutAppearance, readSignImage, type AppearanceLayout, type LayoutContext, type TextItem } from './appearance-layout.js';
/** The initials a ký nháy mark shows (defined with the layout). */
export { initialsOf } from './appearance-layout.js';
import { toDefaultRect, uprightMatrix } from './placement.js';

/** Where the signature's widget goes and what it shows. */
export interface BuiltAppearance {
  page: PageInfo;
  rect: [number, number, number, number];
  xobject?: PdfRef;
  warnings: AppearanceLayout['warnings'];
}

/** Inputs besides SignOptions. */
export type AppearanceContext = LayoutContext;

async function png(up: IncrementalUpdate, file: string): Promise<PdfRef> {
  const { bytes } = await readSignImage(file);
  try {
    return embedPng(up, bytes).ref;
  } catch (e) {
    throw new KysoError('signImageInvalid', { path: file }, { cause: e });
  }
}

/** Content operators of one text item with the font under `res`. */
function textItemOps(t: TextItem, res: string, encode: (s: string) => string, ascent: number, widthOf: (s: string) => number): string {
  const lh = t.lineHeight * t.size;
  const [r, g, b] = t.color;
  const out = ['BT', `${f(r)} ${f(g)} ${f(b)} rg`, `/${res} ${f(t.size)} Tf`];
  if (t.hscale !== 1) out.push(`${f(t.hscale * 100)} Tz`);
  let y = t.top - (ascent * t.size) / 1000;
  for (const line of t.lines) {
    const w = widthOf(line) * t.hscale;
    const dx = t.align === 'center' ? (t.width - w) / 2 : t.align === 'right' ? t.width - w : 0;
    out.push(`1 0 0 1 ${f(t.x + dx)} ${f(y)} Tm`, `${encode(line)} Tj`);
    y -= lh;
  }
  out.push('ET');
  return out.join('\n');
}

/** Resolves placement and draws the appearance for `options.appearance.role`. */
export async function buildAppearance(pdf: PdfFile, up: IncrementalUpdate, options: AppearanceContext): Promise<BuiltAppearance> {
  const role = options.appearance?.role ?? 'invisible';
  if (role === 'invisible') {
    const pageCount = await pdf.pageCount();
    const pageNo = options.placement?.page ?? 1;
    if (pageNo < 1 || pageNo > pageCount) throw new KysoError('signPageOutOfRange', { page: pageNo, count: pageCount });
    return { page: await pdf.page(pageNo - 1), rect: [0, 0, 0, 0], warnings: [] };
  }
  const fonts = new Fonts();
  const layout = await layoutAppearance(pdf, options, fonts);
  const a = options.appearance!;
  const page = await pdf.page(layout.page);
  const [X, Y, W, H] = layout.box;
  const res = new ResourceBuilder();
  const ops: string[] = [];
  const fontNames = new Map<FontStyle, string>();
  const images = new Map<string, string>();
  const image = async (k: 'signature' | 'seal'): Promise<string | undefined> => {
    const file = k === 'seal' ? a.sealImage : a.image;
    if (!file) return undefined;
    let n = images.get(k);
    if (!n) images.set(k, (n = res.xobject(await png(up, file))));
    return n;
  };
  for (const part of layout.parts) {
    // Parts are placed on the page; the widget's form has its origin at the widget's corner.
    const dx = part.box[0] - X;
    const dy = part.box[1] - Y;
    for (const it of part.items) {
      if (it.kind === 'image') {
        const n = await image(it.image);
        if (n) ops.push(drawXObject(n, it.box[0] + dx, it.box[1] + dy, it.box[2], it.box[3]));
      } else if (it.kind === 'frame') {
        ops.push(`q ${it.color.map(f).join(' ')} RG ${f(it.lineWidth)} w ${f(it.box[0] + dx)} ${f(it.box[1] + dy)} ${f(it.box[2])} ${f(it.box[3])} re S Q`);
      } else {
        const font = await fonts.get(it.style);
        let name = fontNames.get(it.style);
        if (!name) fontNames.set(it.style, (name = `F${fontNames.size + 1}`));
        // Encode first: the subset written by toPdf holds only glyphs already used.
        ops.push(textItemOps({ ...it, x: it.x + dx, top: it.top + dy }, name, (s) => serializeObject(font.encode(s)), font.ascent, (s) => font.widthOf(s, it.size)));
      }
    }
  }
  // Fonts registered in first-use order get the names F1, F2... the operators already use.
  for (const [style, name] of fontNames) {
    if (res.font(await (await fonts.get(style)).toPdf(up)) !== name) throw new KysoError('internal', { detail: 'font resource name' });
  }
  const matrix = uprightMatrix(page.rotate, W, H);
  const xobject = up.add(formXObject({ bbox: [0, 0, W, H], content: ops.join('\n'), resources: res.build(), ...(matrix ? { matrix } : {}) }));
  return { page, rect: toDefaultRect(page, [X, Y, W, H]), xobject, warnings: layout.warnings };
}
