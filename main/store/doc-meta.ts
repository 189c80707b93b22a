/**
 * The Decree 30 metadata of a document beyond number, notation, type and subject (appendix
 * VI): issue date, signer and position, urgency (độ khẩn, edXML Priority 0-4), secrecy (độ
 * mật) and reply-by date. Kept with each register row as JSON.
 */

/** Urgency as edXML OtherInfo/Priority: 0 normal, 1 urgent, 2 very urgent, 3 express, 4 express with deadline. */
export type Priority = 0 | 1 | 2 | 3 | 4;

/** Secrecy levels (độ mật): only normal documents travel over the exchange network. */
export const SECRECY = ['normal', 'confidential', 'secret', 'topSecret'] as const;
/** One secrecy level. */
export type Secrecy = (typeof SECRECY)[number];

/** The metadata; absent fields were not given. */
export interface DocMeta {
  /** Abbreviation of the document type from the official list (QĐ, CV...). */
  typeCode?: string;
  /** Issue date, yyyy-mm-dd. */
  issueDate?: string;
  signerName?: string;
  signerPosition?: string;
  priority?: Priority;
  secrecy?: Secrecy;
  /** Reply-by date (hạn trả lời / DueDate), yyyy-mm-dd. */
  dueDate?: string;
}

/** The stored JSON (null when there is nothing). */
export function metaToJson(m: DocMeta | undefined): string | null {
  if (!m) return null;
  const clean = Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && v !== ''));
  return Object.keys(clean).length ? JSON.stringify(clean) : null;
}

/** The metadata from a stored column ({} for none or a damaged value). */
export function metaFromJson(s: string | null | undefined): DocMeta {
  if (!s) return {};
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as DocMeta) : {};
  } catch {
    return {};
  }
}

/** `yyyy/MM/dd` (edXML) to `yyyy-mm-dd`, or undefined. */
export function isoFromEdxmlDate(d: string | undefined): string | undefined {
  return d && /^\d{4}\/\d{2}\/\d{2}$/.test(d) ? d.replaceAll('/', '-') : undefined;
}
