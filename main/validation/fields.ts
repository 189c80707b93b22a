/** Finds signature fields and their signature dictionaries in a PDF view. */
import { PdfDict, PdfRef, PdfString, type PdfObject } from '../pdf/objects.js';
import type { ValueSpan } from '../pdf/parser.js';
import type { LocatedObject } from '../pdf/resolver.js';
import type { PdfView } from './doc.js';
import { nameOf, textOf } from './values.js';

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
  /** Where the /Contents string is written in the file (delimiters included), when known. */
  contentsSpan?: ValueSpan;
  byteRange?: PdfObject;
  kind: 'signature' | 'documentTimestamp';
  subFilter: string;
}

const MAX_FIELDS = 20_000;

/** The signature dictionary as written in `loc` (so value spans apply to it), if it is there. */
function sigIn(loc: LocatedObject | null, v: PdfObject | undefined, direct: boolean): PdfDict | undefined {
  if (!loc) return undefined;
  if (!direct) return loc.value instanceof PdfDict ? loc.value : undefined;
  const field = loc.value instanceof PdfDict ? loc.value : undefined;
  const sig = field?.get('V');
  return sig instanceof PdfDict && v instanceof PdfDict ? sig : undefined;
}

/** Walks /AcroForm /Fields (with /Kids, inherited /FT and /T) and returns filled signature fields. */
export async function findSignatures(view: PdfView): Promise<FoundSignature[]> {
  const out: FoundSignature[] = [];
  const acro = await view.dict((await view.catalog()).get('AcroForm'));
  const fields = acro ? await view.resolve(acro.get('Fields')) : undefined;
  if (!Array.isArray(fields)) return out;
  const seen = new Set<number>();
  let visited = 0;
  const walk = async (ref: PdfObject, parentName: string, parentFt: string | undefined, depth: number): Promise<void> => {
    if (depth > 32 || ++visited > MAX_FIELDS) return;
    if (ref instanceof PdfRef) {
      if (seen.has(ref.num)) return;
      seen.add(ref.num);
    }
    const f = await view.dict(ref);
    if (!f) return;
    const t = textOf(await view.resolve(f.get('T')));
    const name = t === undefined ? parentName : parentName ? `${parentName}.${t}` : t;
    const ft = nameOf(await view.resolve(f.get('FT'))) ?? parentFt;
    const kids = await view.resolve(f.get('Kids'));
    if (Array.isArray(kids)) for (const k of kids) await walk(k, name, ft, depth + 1);
    const v = f.get('V');
    if (ft !== 'Sig' || v === undefined || v === null) return;
    // Located first: its parse (with value spans) then serves the plain load too.
    const located = v instanceof PdfRef ? await view.object(v.num) : null;
    const resolved = await view.resolve(v);
    if (!(resolved instanceof PdfDict)) return;
    let objStart = -1;
    let objEnd = -1;
    let sigNum: number | undefined;
    let loc: LocatedObject | null = null;
    if (v instanceof PdfRef) {
      sigNum = v.num;
      loc = located;
    } else if (ref instanceof PdfRef) {
      loc = await view.object(ref.num);
    }
    if (loc) ({ start: objStart, end: objEnd } = loc);
    // Spans are only known for the dictionary as parsed at its own location.
    const sigVal = sigIn(loc, v, !(v instanceof PdfRef)) ?? resolved;
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
      contentsSpan: loc?.spanOf(c),
      byteRange: sigVal.get('ByteRange'),
      kind: type === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'documentTimestamp' : 'signature',
      subFilter,
    });
  };
  for (const f of fields) await walk(f, '', undefined, 0);
  return out;
}
