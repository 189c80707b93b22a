/**
 * The document types Kyso stores and opens: what edXML packages carry between public bodies
 * (PDF, Word, Excel, OpenDocument, scans as JPEG/PNG/TIFF, ZIP, XML, plain text). A file's
 * type is decided by its bytes (sniffed), then narrowed by its declared name or MIME type
 * within that family: a received `.pdf.exe`, `.hta` or `.lnk` is never stored or opened
 * under an extension the OS would run. Everything else is stored as `.bin` and not opened.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

/** Families told apart by their first bytes. */
export type DocFamily = 'pdf' | 'ole' | 'zip' | 'jpeg' | 'png' | 'tiff' | 'xml' | 'text';

/** One allowed document type. */
export interface DocType {
  /** Extension without the dot, lowercase. */
  ext: string;
  family: DocFamily;
  /** MIME types that name it (the first is the one Kyso declares when sending). */
  mime: string[];
}

/**
 * The allow-list, in order of preference within a family: the first is the family's default
 * when neither the name nor the MIME type narrows it, except for OLE (an installer .msi is OLE
 * too), which must be named or declared a Word or Excel file.
 */
export const DOCUMENT_TYPES: readonly DocType[] = [
  { ext: 'pdf', family: 'pdf', mime: ['application/pdf'] },
  { ext: 'doc', family: 'ole', mime: ['application/msword'] },
  { ext: 'xls', family: 'ole', mime: ['application/vnd.ms-excel'] },
  { ext: 'zip', family: 'zip', mime: ['application/zip', 'application/x-zip-compressed'] },
  { ext: 'docx', family: 'zip', mime: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'] },
  { ext: 'xlsx', family: 'zip', mime: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
  { ext: 'odt', family: 'zip', mime: ['application/vnd.oasis.opendocument.text'] },
  { ext: 'ods', family: 'zip', mime: ['application/vnd.oasis.opendocument.spreadsheet'] },
  { ext: 'jpg', family: 'jpeg', mime: ['image/jpeg'] },
  { ext: 'jpeg', family: 'jpeg', mime: ['image/jpeg'] },
  { ext: 'png', family: 'png', mime: ['image/png'] },
  { ext: 'tif', family: 'tiff', mime: ['image/tiff'] },
  { ext: 'tiff', family: 'tiff', mime: ['image/tiff'] },
  { ext: 'xml', family: 'xml', mime: ['application/xml', 'text/xml'] },
  { ext: 'txt', family: 'text', mime: ['text/plain'] },
];

/** Extension of files Kyso keeps but never opens (unknown or executable content). */
export const INERT_EXT = 'bin';

/** How many leading bytes sniffing reads. */
export const SNIFF_BYTES = 4096;

const starts = (b: Uint8Array, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** The family of a file from its first bytes, or null (executables, HTML with a script, unknown binaries). */
export function sniffFamily(head: Uint8Array): DocFamily | null {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  // Readers accept a PDF header a little after the start (as main/services/file-handlers.ts does).
  if (buf.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (starts(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (starts(buf, [0x50, 0x4b, 0x03, 0x04]) || starts(buf, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (starts(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(buf, [0x49, 0x49, 0x2a, 0x00]) || starts(buf, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (!isText(buf)) return null;
  const body = buf.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return body.startsWith('<?xml') ? 'xml' : 'text';
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

/** The first bytes of a file (at most SNIFF_BYTES). */
export function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** The allowed type of an extension (no dot, any case), or undefined. */
export function docTypeOfExt(ext: string): DocType | undefined {
  const e = ext.toLowerCase().replace(/^\./, '');
  return DOCUMENT_TYPES.find((t) => t.ext === e);
}

/**
 * The extension to store a received file under: the family its bytes show, narrowed by the
 * extension of its name, then its declared MIME type; `bin` when the bytes show no allowed
 * type (whatever the name or MIME type claim).
 */
export function storedExtension(head: Uint8Array, name: string, declaredType: string): string {
  const family = sniffFamily(head);
  if (!family) return INERT_EXT;
  const candidates = DOCUMENT_TYPES.filter((t) => t.family === family);
  const byName = candidates.find((t) => t.ext === path.extname(cleanName(name)).slice(1).toLowerCase());
  const byMime = candidates.find((t) => t.mime.includes(declaredType.toLowerCase()));
  const chosen = byName ?? byMime ?? (family === 'ole' ? undefined : candidates[0]);
  return chosen?.ext ?? INERT_EXT;
}

/** MIME type Kyso declares for a file it sends, from its extension. */
export function mimeOfExt(file: string): string {
  return docTypeOfExt(path.extname(file).slice(1))?.mime[0] ?? 'application/octet-stream';
}

/**
 * A name with what hides its real shape removed: format characters (bidi overrides such as
 * U+202E, zero-width marks), controls, and the trailing dots and spaces Windows drops.
 */
export function cleanName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\p{Cf}\p{Cc}\p{Co}\p{Cs}\u2028\u2029]/gu, '')
    .replace(/[. \u00a0]+$/u, '');
}

/**
 * The name Kyso stores a received file under: `NN-<stem>.<ext>` with the index first (unique
 * in the folder, never a reserved device name), a stem with no format characters, path or
 * reserved characters, or further dots, and the extension from storedExtension.
 */
export function storedFileName(index: number, name: string, ext: string): string {
  const clean = cleanName(path.basename(name.replace(/\\/g, '/')));
  const stem = (clean.includes('.') ? clean.slice(0, clean.lastIndexOf('.')) : clean)
    .replace(/[\\/:*?"<>|.]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  const short = [...stem].slice(0, 100).join('') || 'tep';
  return `${String(index + 1).padStart(2, '0')}-${short}.${ext}`;
}

/** True when `file` exists, has an allowed extension and its bytes are of that extension's family. */
export function isOpenableDocument(file: string): boolean {
  const type = docTypeOfExt(path.extname(file).slice(1));
  if (!type) return false;
  try {
    return sniffFamily(readHead(file)) === type.family;
  } catch {
    return false;
  }
}

/** The kind of a stored file, from the extension Kyso gave it: `pdf`, `docx`... or `bin`. */
export function storedKind(file: string): string {
  return docTypeOfExt(path.extname(file).slice(1))?.ext ?? INERT_EXT;
}

/**
 * A received file as the contract shows it: its register row plus the name to display, the
 * type Kyso found (stored extension or `bin`) and whether the OS opener may open it.
 */
export function receivedFileView<F extends { name: string; path: string }>(f: F): F & { displayName: string; kind: string; openable: boolean } {
  return { ...f, displayName: visibleName(f.name), kind: storedKind(f.path), openable: isOpenableDocument(f.path) };
}

/**
 * A received name as the UI shows it: the real name, with what would hide its shape made
 * visible: format and control characters as `⟨U+202E⟩`, trailing spaces as `␠`.
 */
export function visibleName(name: string): string {
  const marked = name.replace(/[\p{Cf}\p{Cc}\p{Co}\p{Cs}\u2028\u2029]/gu, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
  return marked.replace(/[ \u00a0]+$/u, (s) => '␠'.repeat(s.length));
}
