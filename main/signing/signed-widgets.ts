/**
 * The visible signature widgets already on a page (signed fields with a non-empty /Rect), in
 * displayed coordinates: where an earlier approval signature's image is, for the seal.
 */
import { PdfDict, PdfName } from '../pdf/objects.js';
import type { PageInfo } from '../pdf/pages.js';
import type { PdfFile } from '../pdf/reader.js';
import { toDisplayPoint, type Box } from './placement.js';

/** Boxes of the page's signed signature widgets, in /Annots order. */
export async function signedWidgetBoxes(pdf: PdfFile, page: PageInfo): Promise<Box[]> {
  const annots = await pdf.resolve(page.dict.get('Annots')).catch(() => undefined);
  const out: Box[] = [];
  for (const a of Array.isArray(annots) ? annots.slice(0, 500) : []) {
    const w = await pdf.resolve(a).catch(() => undefined);
    if (!(w instanceof PdfDict) || w.getName('Subtype') !== 'Widget') continue;
    const parent = await pdf.resolve(w.get('Parent')).catch(() => undefined);
    const field = w.has('FT') || !(parent instanceof PdfDict) ? w : parent;
    const ft = await pdf.resolve(field.get('FT')).catch(() => undefined);
    const v = await pdf.resolve(field.get('V')).catch(() => undefined);
    if (!(ft instanceof PdfName) || ft.value !== 'Sig' || !(v instanceof PdfDict)) continue;
    const r = await pdf.resolve(w.get('Rect')).catch(() => undefined);
    if (!Array.isArray(r) || r.length !== 4 || !r.every((n) => typeof n === 'number')) continue;
    const [x0, y0, x1, y1] = r as number[];
    if (Math.abs((x1! - x0!) * (y1! - y0!)) < 1) continue;
    const [ax, ay] = toDisplayPoint(page, Math.min(x0!, x1!), Math.min(y0!, y1!));
    const [bx, by] = toDisplayPoint(page, Math.max(x0!, x1!), Math.max(y0!, y1!));
    out.push([Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)]);
  }
  return out;
}
