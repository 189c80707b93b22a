/**
 * Kyso's one file-type sniffer: what a file is from its first bytes. Two readers use it:
 * - the edXML reader reports the type found beside the declared ContentType and notes a
 *   contradiction (`contentTypeMismatch`): packages in the field declare a .doc as
 *   `application/zip`;
 * - the client stores and opens received files by the family found
 *   (main/files/doc-types.ts), whatever the name or declared type claim.
 * Pure (no file system): the edXML codec, the server and the client all import it.
 */

/** How many leading bytes sniffing looks at (the text check needs a window, not a few bytes). */
export const SNIFF_BYTES = 4096;

/** Families of the documents Kyso may store under their own extension and open. */
export type DocFamily = 'pdf' | 'ole' | 'zip' | 'jpeg' | 'png' | 'tiff' | 'xml' | 'text';

/** What the first bytes show. */
export interface Sniffed {
  /** The document family, or null when no allowed type can be it (programs, RAR, GIF, unknown or non-UTF-8 binaries). */
  family: DocFamily | null;
  /** The MIME type the bytes prove (a container's generic type: `application/zip`); undefined for plain text and unknown bytes. */
  mime?: string;
}

/** Canonical MIME type of the extensions the sniffer can tell apart or narrow to. */
export const MIME_OF_EXT: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  zip: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  xml: 'application/xml',
  txt: 'text/plain',
};

/** Containers whose member formats are told apart by the name (.docx and .xlsx are both ZIP files). */
const NARROWS: Partial<Record<DocFamily, string[]>> = {
  zip: ['docx', 'xlsx', 'pptx', 'odt', 'ods'],
  ole: ['doc', 'xls', 'ppt'],
};

/** Binary signatures at offset 0, in the order they are tried. */
const MAGIC: ReadonlyArray<{ sig: number[]; family: DocFamily | null; mime: string }> = [
  { sig: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], family: 'ole', mime: 'application/x-ole-storage' },
  { sig: [0x50, 0x4b, 0x03, 0x04], family: 'zip', mime: 'application/zip' },
  { sig: [0x50, 0x4b, 0x05, 0x06], family: 'zip', mime: 'application/zip' },
  { sig: [0xff, 0xd8, 0xff], family: 'jpeg', mime: 'image/jpeg' },
  { sig: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], family: 'png', mime: 'image/png' },
  { sig: [0x49, 0x49, 0x2a, 0x00], family: 'tiff', mime: 'image/tiff' },
  { sig: [0x4d, 0x4d, 0x00, 0x2a], family: 'tiff', mime: 'image/tiff' },
  { sig: ascii('GIF87a'), family: null, mime: 'image/gif' },
  { sig: ascii('GIF89a'), family: null, mime: 'image/gif' },
  { sig: ascii('Rar!'), family: null, mime: 'application/vnd.rar' },
  { sig: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], family: null, mime: 'application/x-7z-compressed' },
];

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

const starts = (b: Uint8Array, sig: number[]) => sig.every((x, i) => b[i] === x);

/** What a file is from its first bytes (up to SNIFF_BYTES; fewer only weaken the text check). */
export function sniff(head: Uint8Array): Sniffed {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  // Readers accept a PDF header a little after the start (as main/services/file-handlers.ts does).
  if (buf.subarray(0, 1024).includes('%PDF-')) return { family: 'pdf', mime: MIME_OF_EXT.pdf };
  const magic = MAGIC.find((m) => starts(buf, m.sig));
  if (magic) return { family: magic.family, mime: magic.mime };
  const lead = buf.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  const markup = lead.startsWith('<?xml') ? MIME_OF_EXT.xml : lead.startsWith('{\\rtf') ? 'application/rtf' : undefined;
  // XML and RTF in a legacy encoding are still recognized, but only UTF-8 text is a document Kyso opens.
  if (!isText(buf)) return { family: null, ...(markup ? { mime: markup } : {}) };
  return { family: markup === MIME_OF_EXT.xml ? 'xml' : 'text', ...(markup ? { mime: markup } : {}) };
}

/** The family of a file from its first bytes, or null (executables, HTML is text, unknown binaries). */
export function sniffFamily(head: Uint8Array): DocFamily | null {
  return sniff(head).family;
}

/**
 * The MIME type of a file from its first bytes, narrowed by its name within a container
 * (`a.docx` in a ZIP is a Word document); undefined when the bytes prove no type.
 */
export function sniffType(head: Uint8Array, name: string): string | undefined {
  const { family, mime } = sniff(head);
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (family && NARROWS[family]?.includes(ext)) return MIME_OF_EXT[ext];
  return mime;
}

/** Declared types that say nothing about the content, and spellings of the same type. */
const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown', 'application/binary']);
const ALIASES: Record<string, string> = {
  'application/x-pdf': 'application/pdf',
  'application/acrobat': 'application/pdf',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/doc': 'application/msword',
  'application/vnd.msword': 'application/msword',
  'text/xml': 'application/xml',
  'text/rtf': 'application/rtf',
};

/** A declared MIME type in its canonical spelling (lowercase, aliases resolved). */
export function canonicalMime(declared: string): string {
  const d = declared.toLowerCase();
  return ALIASES[d] ?? d;
}

/**
 * True when the declared type contradicts the detected one. A generic declaration, an alias,
 * or `application/zip` for a ZIP-based office file is no contradiction; an unrecognized file
 * (detected undefined) cannot contradict anything.
 */
export function typeDisagrees(declared: string, detected: string | undefined): boolean {
  if (!detected) return false;
  const norm = canonicalMime(declared);
  if (GENERIC.has(norm)) return false;
  if (norm === detected) return false;
  if (norm === MIME_OF_EXT.zip && NARROWS.zip!.some((e) => MIME_OF_EXT[e] === detected)) return false;
  return true;
}

/** True for UTF-8 text without NUL or other C0 controls than tab, CR, LF, FF (a cut last character is allowed). */
function isText(buf: Buffer): boolean {
  if (!buf.length) return true;
  for (const b of buf) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  // Drop up to 3 bytes of a character cut at the end of the window before decoding.
  for (let cut = 0; cut < 4 && cut < buf.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, buf.length - cut));
      return true;
    } catch {
      // try a shorter window
    }
  }
  return false;
}
