/**
 * The object graph of one new signature in an incremental update: signature dictionary,
 * merged field/widget on the page (page /Annots updated), AcroForm /Fields and /SigFlags 3,
 * and for a certification signature /Perms /DocMDP in the catalog.
 */
import { KysoError } from '../api/errors.js';
import { PdfDict, PdfRef, PdfString, dict, name, type PdfObject } from '../pdf/objects.js';
import type { PdfFile } from '../pdf/reader.js';
import type { PageInfo } from '../pdf/pages.js';

/** The part of the PDF engineer's IncrementalUpdate this module uses. */
export interface UpdateLike {
  add(obj: PdfObject): PdfRef;
  set(ref: PdfRef, obj: PdfObject): void;
}

/** Inputs for the new field. */
export interface FieldSpec {
  sigDict: PdfDict;
  page: PageInfo;
  /** [llx, lly, urx, ury]; all zeros for an invisible signature. */
  rect: [number, number, number, number];
  /** Normal appearance (a form XObject already added to the update), when visible. */
  appearance?: PdfRef;
  fieldName: string;
  /** Adds /Perms /DocMDP pointing at this signature. */
  certify: boolean;
}

/**
 * Field names already used (fully qualified), plus the names of widgets on `page` that the
 * AcroForm does not list (files where a signature field sits only in the page's /Annots):
 * reusing such a name gave two fields of one name.
 */
export async function existingFieldNames(pdf: PdfFile, page?: PageInfo): Promise<Set<string>> {
  const form = await pdf.acroForm();
  const names = new Set((form?.fields ?? []).map((f) => f.name));
  const annots = page ? await pdf.resolve(page.dict.get('Annots')).catch(() => undefined) : undefined;
  for (const a of Array.isArray(annots) ? annots : []) {
    const d = await pdf.resolve(a).catch(() => undefined);
    if (!(d instanceof PdfDict) || d.getName('Subtype') !== 'Widget') continue;
    const t = d.get('T');
    if (t instanceof PdfString) names.add(t.asText());
  }
  return names;
}

/** Number of signature fields that already carry a value (existing signatures). */
export async function countSignatures(pdf: PdfFile): Promise<number> {
  const form = await pdf.acroForm();
  return (form?.fields ?? []).filter((f) => f.type === 'Sig' && f.value !== undefined && f.value !== null).length;
}

/**
 * The DocMDP permission of a certified document (catalog /Perms /DocMDP → its signature's
 * /Reference TransformParams /P), or null when it is not certified. A broken entry reads as
 * P=2, the default of ISO 32000.
 */
export async function certificationLevel(pdf: PdfFile): Promise<number | null> {
  const perms = await pdf.resolve((await pdf.catalog()).get('Perms'));
  if (!(perms instanceof PdfDict)) return null;
  const sig = await pdf.resolve(perms.get('DocMDP'));
  if (!(sig instanceof PdfDict)) return null;
  const refs = await pdf.resolve(sig.get('Reference'));
  for (const r of Array.isArray(refs) ? refs : []) {
    const d = await pdf.resolve(r);
    if (!(d instanceof PdfDict) || d.getName('TransformMethod') !== 'DocMDP') continue;
    const params = await pdf.resolve(d.get('TransformParams'));
    return (params instanceof PdfDict ? params.getNumber('P') : undefined) ?? 2;
  }
  return 2;
}

/** A field name like `Signature3` not used yet. */
export function nextFieldName(used: Set<string>, base = 'Signature'): string {
  for (let i = 1; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** The catalog's reference (from the newest trailer). */
export function catalogRef(pdf: PdfFile): PdfRef {
  const root = pdf.trailer.get('Root');
  if (!(root instanceof PdfRef)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'trailer /Root is not a reference' });
  return root;
}

/** Appends `item` to an array that may be direct or indirect; returns the value to store. */
async function appendToArray(pdf: PdfFile, up: UpdateLike, current: PdfObject | undefined, item: PdfObject): Promise<PdfObject> {
  const resolved = await pdf.resolve(current);
  const list = Array.isArray(resolved) ? [...resolved, item] : [item];
  if (current instanceof PdfRef && Array.isArray(resolved)) {
    // Keep the indirect array (others may point at it): replace its content in the update.
    up.set(current, list);
    return current;
  }
  return list;
}

/** Adds the signature dictionary, the field/widget and all dictionary updates; returns the sig ref. */
export async function addSignatureField(pdf: PdfFile, up: UpdateLike, spec: FieldSpec): Promise<{ sigRef: PdfRef; widgetRef: PdfRef }> {
  const sigRef = up.add(spec.sigDict);
  const widget = dict({
    Type: name('Annot'),
    Subtype: name('Widget'),
    FT: name('Sig'),
    T: PdfString.text(spec.fieldName),
    V: sigRef,
    // Print + Locked: the stamp prints and cannot be moved once signed.
    F: 132,
    Rect: spec.rect,
    P: spec.page.ref,
  });
  if (spec.appearance) widget.set('AP', dict({ N: spec.appearance }));
  const widgetRef = up.add(widget);

  const pageDict = spec.page.dict.clone();
  pageDict.set('Annots', await appendToArray(pdf, up, pageDict.get('Annots'), widgetRef));
  up.set(spec.page.ref, pageDict);

  const rootRef = catalogRef(pdf);
  const catalog = (await pdf.catalog()).clone();
  let catalogChanged = false;
  const form = await pdf.acroForm();
  const formDict = form ? form.dict.clone() : dict({});
  formDict.set('Fields', await appendToArray(pdf, up, formDict.get('Fields'), widgetRef));
  formDict.set('SigFlags', 3);
  if (form?.ref) up.set(form.ref, formDict);
  else {
    catalog.set('AcroForm', up.add(formDict));
    catalogChanged = true;
  }
  if (spec.certify) {
    const perms = (await pdf.resolve(catalog.get('Perms'))) as PdfObject | undefined;
    const p = perms instanceof PdfDict ? perms.clone() : dict({});
    p.set('DocMDP', sigRef);
    catalog.set('Perms', p);
    catalogChanged = true;
  }
  if (catalogChanged) up.set(rootRef, catalog);
  return { sigRef, widgetRef };
}
