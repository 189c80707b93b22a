/**
 * What an attachment really is, from its first bytes (and its name, for formats that share a
 * container: .docx and .xlsx are both ZIP files). Packages in the field declare ContentTypes
 * that disagree with the file (a .doc declared `application/zip`); the reader reports both.
 */

/** Bytes the reader keeps from the start of each attachment for sniffing. */
export const SNIFF_BYTES = 16;

const OOXML: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};
const OLE: Record<string, string> = { doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint' };

const startsWith = (b: Buffer, sig: number[] | string, at = 0) =>
  typeof sig === 'string' ? b.subarray(at, at + sig.length).toString('latin1') === sig : sig.every((v, i) => b[at + i] === v);

/** The MIME type of a file from its first bytes and name; undefined when not recognized. */
export function sniffType(head: Buffer, name: string): string | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (startsWith(head, '%PDF-')) return 'application/pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return OOXML[ext] ?? 'application/zip';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return OLE[ext] ?? 'application/x-ole-storage';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, 'GIF87a') || startsWith(head, 'GIF89a')) return 'image/gif';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(head, '{\\rtf')) return 'application/rtf';
  if (startsWith(head, 'Rar!')) return 'application/vnd.rar';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'application/x-7z-compressed';
  if (startsWith(head, '<?xml')) return 'application/xml';
  return undefined;
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

/**
 * True when the declared type contradicts the detected one. A generic declaration, an alias,
 * or `application/zip` for a ZIP-based office file is no contradiction; an unrecognized file
 * (detected undefined) cannot contradict anything.
 */
export function typeDisagrees(declared: string, detected: string | undefined): boolean {
  if (!detected) return false;
  const d = declared.toLowerCase();
  if (GENERIC.has(d)) return false;
  const norm = ALIASES[d] ?? d;
  if (norm === detected) return false;
  if (norm === 'application/zip' && Object.values(OOXML).includes(detected)) return false;
  return true;
}
