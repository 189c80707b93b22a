/** The interactive form: AcroForm dictionary and its field tree, with full field names. */
import { PdfDict, PdfRef, PdfString, type PdfObject } from './objects.js';
import type { RevisionResolver } from './resolver.js';

/** One terminal field (or a field with widgets) of the form. */
export interface FieldInfo {
  ref: PdfRef | null;
  /** Fully qualified name, parts joined by '.'. */
  name: string;
  /** /FT, inherited from ancestors (Sig, Tx, Btn, Ch), or null. */
  type: string | null;
  dict: PdfDict;
  /** /V as written (a ref for signature values). */
  value: PdfObject | undefined;
}

/** The AcroForm of a document. */
export interface AcroFormInfo {
  /** Reference of the AcroForm dict when indirect (an update can replace it), else null. */
  ref: PdfRef | null;
  dict: PdfDict;
  fields: FieldInfo[];
}

const MAX_FIELDS = 100_000;

/** Reads the AcroForm and walks /Fields (bounded, cycle-safe). */
export async function readAcroForm(r: RevisionResolver, catalog: PdfDict): Promise<AcroFormInfo | null> {
  const raw = catalog.get('AcroForm');
  const dict = await r.dictOf(raw);
  if (!dict) return null;
  const fields: FieldInfo[] = [];
  const seen = new Set<string>();
  const walk = async (list: PdfObject | undefined, prefix: string, ft: string | null, depth: number): Promise<void> => {
    const arr = await r.resolve(list);
    if (!Array.isArray(arr) || depth > 32) return;
    for (const item of arr) {
      if (fields.length >= MAX_FIELDS) return;
      if (item instanceof PdfRef) {
        if (seen.has(item.key)) continue;
        seen.add(item.key);
      }
      const d = await r.dictOf(item);
      if (!d) continue;
      const t = await r.resolve(d.get('T'));
      const part = t instanceof PdfString ? t.asText() : '';
      const full = part ? (prefix ? `${prefix}.${part}` : part) : prefix;
      const type = d.getName('FT') ?? ft;
      const kids = await r.resolve(d.get('Kids'));
      // Kids that have no /T are widgets of this field, not sub-fields.
      const subFields = Array.isArray(kids) ? await hasNamedKid(r, kids) : false;
      if (subFields) await walk(kids, full, type, depth + 1);
      else fields.push({ ref: item instanceof PdfRef ? item : null, name: full, type, dict: d, value: d.get('V') });
    }
  };
  await walk(dict.get('Fields'), '', null, 0);
  return { ref: raw instanceof PdfRef ? raw : null, dict, fields };
}

async function hasNamedKid(r: RevisionResolver, kids: PdfObject[]): Promise<boolean> {
  for (const k of kids) {
    const d = await r.dictOf(k);
    if (d?.has('T')) return true;
  }
  return false;
}
