/** Finds signature fields and their signature dictionaries in a PDF view. */
import type { PdfView } from './pdf/document.js';
import { nameOf, PdfDict, PdfRef, PdfString, textOf, type PdfValue } from './pdf/objects.js';

/** A signature dictionary as found through the AcroForm. */
export interface FoundSignature {
  field: string;
  fieldNum?: number;
  /** Object number of the signature dictionary, when indirect. */
  sigNum?: number;
  sig: PdfDict;
  /** Offsets of the object holding the signature dictionary (-1 when in an object stream). */
  objStart: number;
  objEnd: number;
  contents?: PdfString;
  byteRange?: PdfValue;
  kind: 'signature' | 'documentTimestamp';
  subFilter: string;
}

const MAX_FIELDS = 20_000;

/** Walks /AcroForm /Fields (with /Kids, inherited /FT and /T) and returns filled signature fields. */
export function findSignatures(view: PdfView): FoundSignature[] {
  const out: FoundSignature[] = [];
  const acro = view.dict(view.catalog().get('AcroForm'));
  const fields = acro ? view.resolve(acro.get('Fields')) : undefined;
  if (!Array.isArray(fields)) return out;
  const seen = new Set<number>();
  let visited = 0;
  const walk = (ref: PdfValue, parentName: string, parentFt: string | undefined, depth: number): void => {
    if (depth > 32 || ++visited > MAX_FIELDS) return;
    if (ref instanceof PdfRef) {
      if (seen.has(ref.num)) return;
      seen.add(ref.num);
    }
    const f = view.dict(ref);
    if (!f) return;
    const t = textOf(view.resolve(f.get('T')));
    const name = t === undefined ? parentName : parentName ? `${parentName}.${t}` : t;
    const ft = nameOf(view.resolve(f.get('FT'))) ?? parentFt;
    const kids = view.resolve(f.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) walk(k, name, ft, depth + 1);
    const v = f.get('V');
    if (ft !== 'Sig' || v === undefined || v === null) return;
    const sigVal = view.resolve(v);
    if (!(sigVal instanceof PdfDict)) return;
    let objStart = -1;
    let objEnd = -1;
    let sigNum: number | undefined;
    if (v instanceof PdfRef) {
      sigNum = v.num;
      const o = view.object(v.num);
      if (o) ({ start: objStart, end: objEnd } = o);
    } else if (ref instanceof PdfRef) {
      const o = view.object(ref.num);
      if (o) ({ start: objStart, end: objEnd } = o);
    }
    const c = sigVal.get('Contents');
    const type = nameOf(sigVal.get('Type'));
    const subFilter = nameOf(sigVal.get('SubFilter')) ?? '';
    out.push({
      field: name || '(unnamed)',
      fieldNum: ref instanceof PdfRef ? ref.num : undefined,
      sigNum,
      sig: sigVal,
      objStart,
      objEnd,
      contents: c instanceof PdfString ? c : undefined,
      byteRange: sigVal.get('ByteRange'),
      kind: type === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'documentTimestamp' : 'signature',
      subFilter,
    });
  };
  for (const f of fields) walk(f, '', undefined, 0);
  return out;
}
