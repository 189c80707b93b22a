/** Reads the Document Security Store (/DSS: /Certs, /OCSPs, /CRLs) of a PDF view. */
import { decodeStream } from './pdf/filters.js';
import type { PdfView } from './pdf/document.js';
import { PdfStream } from './pdf/objects.js';

/** Validation material embedded in the document. */
export interface DssData {
  present: boolean;
  certs: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
}

/** Extracts the DSS; unreadable entries are skipped (the check then reports missing data). */
export function readDss(view: PdfView): DssData {
  const out: DssData = { present: false, certs: [], ocsps: [], crls: [] };
  try {
    const dss = view.dict(view.catalog().get('DSS'));
    if (!dss) return out;
    out.present = true;
    const grab = (key: string, into: Buffer[]): void => {
      const arr = view.resolve(dss.get(key));
      if (!Array.isArray(arr)) return;
      for (const item of arr.slice(0, 10_000)) {
        try {
          const s = view.resolve(item);
          if (s instanceof PdfStream) into.push(decodeStream(s));
        } catch {
          // skip
        }
      }
    };
    grab('Certs', out.certs);
    grab('OCSPs', out.ocsps);
    grab('CRLs', out.crls);
  } catch {
    // No catalog or DSS: nothing embedded.
  }
  return out;
}
