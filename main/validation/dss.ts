/** Reads the Document Security Store (/DSS: /Certs, /OCSPs, /CRLs) of a PDF view. */
import { PdfStream } from '../pdf/objects.js';
import type { PdfView } from './doc.js';

/** Validation material embedded in the document. */
export interface DssData {
  present: boolean;
  certs: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
}

/** Extracts the DSS; unreadable entries are skipped (the check then reports missing data). */
export async function readDss(view: PdfView): Promise<DssData> {
  const out: DssData = { present: false, certs: [], ocsps: [], crls: [] };
  try {
    const dss = await view.dict((await view.catalog()).get('DSS'));
    if (!dss) return out;
    out.present = true;
    const grab = async (key: string, into: Buffer[]): Promise<void> => {
      const arr = await view.resolve(dss.get(key));
      if (!Array.isArray(arr)) return;
      for (const item of arr.slice(0, 10_000)) {
        try {
          const s = await view.resolve(item);
          if (s instanceof PdfStream) into.push(Buffer.from(await view.decode(s)));
        } catch {
          // skip
        }
      }
    };
    await grab('Certs', out.certs);
    await grab('OCSPs', out.ocsps);
    await grab('CRLs', out.crls);
  } catch {
    // No catalog or DSS: nothing embedded.
  }
  return out;
}
