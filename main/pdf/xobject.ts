/** Form XObjects (appearance streams) and their resource dictionaries. */
import { deflateSync } from 'node:zlib';
import { formatNumber as f } from './serialize.js';
import { PdfDict, PdfStream, name, type PdfObject, type PdfRef } from './objects.js';

/** Collects resources for one content stream, naming them F1, F2, Im1, X1, GS1... */
export class ResourceBuilder {
  private readonly cats = new Map<string, Map<string, PdfObject>>();
  private readonly names = new Map<string, string>();
  private direct = 0;

  private addTo(cat: string, prefix: string, ref: PdfRef | PdfDict): string {
    const key = `${cat}:${ref instanceof PdfDict ? `direct${this.direct++}` : ref.key}`;
    const known = this.names.get(key);
    if (known) return known;
    const m = this.cats.get(cat) ?? new Map<string, PdfObject>();
    this.cats.set(cat, m);
    const n = `${prefix}${m.size + 1}`;
    m.set(n, ref);
    this.names.set(key, n);
    return n;
  }
  /** Registers a font; returns its resource name (e.g. "F1"). */
  font(ref: PdfRef): string {
    return this.addTo('Font', 'F', ref);
  }
  /** Registers an image or form XObject; returns its name (e.g. "Im1"). */
  xobject(ref: PdfRef, prefix = 'Im'): string {
    return this.addTo('XObject', prefix, ref);
  }
  /** Registers a graphics state (e.g. for opacity); returns its name. */
  extGState(gs: PdfDict): string {
    return this.addTo('ExtGState', 'GS', gs);
  }
  /** The /Resources dictionary. */
  build(): PdfDict {
    const d = new PdfDict();
    for (const [cat, m] of this.cats) d.set(cat, new PdfDict(m));
    return d;
  }
}

/** Options of formXObject. */
export interface FormOptions {
  /** [llx, lly, urx, ury]. */
  bbox: [number, number, number, number];
  content: string | Uint8Array;
  resources?: PdfDict;
  matrix?: [number, number, number, number, number, number];
  /** Compress the content (default true). */
  compress?: boolean;
}

/** Builds a Form XObject stream (e.g. a widget's /AP /N appearance). */
export function formXObject(o: FormOptions): PdfStream {
  const raw = typeof o.content === 'string' ? Buffer.from(o.content, 'latin1') : o.content;
  const d = new PdfDict({ Type: name('XObject'), Subtype: name('Form'), BBox: [...o.bbox], Resources: o.resources ?? new PdfDict() });
  if (o.matrix) d.set('Matrix', [...o.matrix]);
  if (o.compress === false) return PdfStream.of(d, raw);
  d.set('Filter', name('FlateDecode'));
  return PdfStream.of(d, deflateSync(raw));
}

/** Content operators drawing XObject `resName` scaled into the rectangle (x, y, w, h). */
export function drawXObject(resName: string, x: number, y: number, w: number, h: number): string {
  return `q ${f(w)} 0 0 ${f(h)} ${f(x)} ${f(y)} cm /${resName} Do Q`;
}
