/**
 * Notes: what the reader accepted although it is not what QCVN 102 or XML asks, so that a
 * clerk (and an admin reading `kyso edxml show`) sees how a package was written. A note never
 * makes a package trusted; messages are `edxml.note.<code>` in resources/locales/edxml.ts.
 */

/** Every kind of note the reader writes. */
export type NoteCode =
  /** Bytes (stray characters, whitespace, a second BOM...) before the XML declaration or root. */
  | 'leadingBytes'
  /** An element used a prefix outside the scope of its declaration; the binding was recovered. */
  | 'prefixOutOfScope'
  /** edXML elements written in no namespace at all (unprefixed, no default namespace). */
  | 'noNamespace'
  /** A `<Signature>` element that is not in the XML-DSig namespace: ignored, the package is unsigned. */
  | 'signatureNotXmlDsig'
  /** An attachment's declared ContentType disagrees with what its bytes are. */
  | 'contentTypeMismatch'
  /** No edXMLManifest: attachments are taken as they come. */
  | 'noManifest'
  /** A DocumentId of the OrganId,date,number/notation form that disagrees with the header. */
  | 'documentIdMismatch';

/** One note with the values its message needs. */
export interface PackageNote {
  code: NoteCode;
  params: Record<string, string | number>;
}

/** Collects notes, once per code and parameters. */
export class Notes {
  readonly list: PackageNote[] = [];
  private readonly seen = new Set<string>();

  /** True when a note of this kind was written. */
  has(code: NoteCode): boolean {
    return this.list.some((n) => n.code === code);
  }

  /** Adds a note unless the same one is already there. */
  add(code: NoteCode, params: Record<string, string | number> = {}): void {
    const key = `${code}:${JSON.stringify(params)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ code, params });
  }
}
