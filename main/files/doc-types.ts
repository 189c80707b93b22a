/**
 * The document types Kyso stores and opens: what edXML packages carry between public bodies
 * (PDF, Word, Excel, OpenDocument, scans as JPEG/PNG/TIFF, ZIP, XML, plain text). A file's
 * type is decided by its bytes (sniffed), then narrowed by its declared name or MIME type
 * within that family: a received `.pdf.exe`, `.hta` or `.lnk` is never stored or opened
 * under an extension the OS would run. Everything else is stored as `.bin` and not opened.
 * The bytes are read by the one sniffer, main/files/sniff.ts.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import { canonicalMime, MIME_OF_EXT, SNIFF_BYTES, sniffFamily, type DocFamily } from './sniff.js';

/** One allowed document type. */
export interface DocType {
  /** Extension without the dot, lowercase. */
  ext: string;
  family: DocFamily;
  /** The MIME type Kyso declares when sending it (declared aliases are resolved by canonicalMime). */
  mime: string;
}

const allowed = (ext: string, family: DocFamily): DocType => ({ ext, family, mime: MIME_OF_EXT[ext]! });

/**
 * The allow-list, in order of preference within a family: the first is the family's default
 * when neither the name nor the MIME type narrows it, except for OLE (an installer .msi is OLE
 * too), which must be named or declared a Word or Excel file.
 */
export const DOCUMENT_TYPES: readonly DocType[] = [
  allowed('pdf', 'pdf'),
  allowed('doc', 'ole'),
  allowed('xls', 'ole'),
  allowed('zip', 'zip'),
  allowed('docx', 'zip'),
  allowed('xlsx', 'zip'),
  allowed('odt', 'zip'),
  allowed('ods', 'zip'),
  allowed('jpg', 'jpeg'),
  allowed('jpeg', 'jpeg'),
  allowed('png', 'png'),
  allowed('tif', 'tiff'),
  allowed('tiff', 'tiff'),
  allowed('xml', 'xml'),
  allowed('txt', 'text'),
];

/** Extension of files Kyso keeps but never opens (unknown or executable content). */
export const INERT_EXT = 'bin';

/**
 * The first bytes of a file (at most SNIFF_BYTES). Only a regular file is read: a FIFO, device
 * or socket put in place of a stored file would block a synchronous read (and the event loop)
 * forever, so it is opened non-blocking, without following a symlink, and refused with
 * fileNotRegular unless the descriptor is a regular file.
 */
export function readHead(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    if (!fstatSync(fd).isFile()) throw new KysoError('fileNotRegular', { path: file });
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
  const byMime = candidates.find((t) => t.mime === canonicalMime(declaredType));
  const chosen = byName ?? byMime ?? (family === 'ole' ? undefined : candidates[0]);
  return chosen?.ext ?? INERT_EXT;
}

/** MIME type Kyso declares for a file it sends, from its extension. */
export function mimeOfExt(file: string): string {
  return docTypeOfExt(path.extname(file).slice(1))?.mime ?? 'application/octet-stream';
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
  return `${String(index + 1).padStart(2, '0')}-${safeFileName(name, ext)}`;
}

/**
 * A received file's name as Kyso writes it anywhere (its own folder, or where the user saves
 * a copy): `<stem>.<ext>`, the stem from the sender's name with format characters, trailing
 * dots and spaces, path and reserved characters and further dots removed (at most 100
 * characters, `tep` when nothing is left), and the extension Kyso found in the bytes.
 */
export function safeFileName(name: string, ext: string): string {
  const clean = cleanName(path.basename(name.replace(/\\/g, '/')));
  const stem = (clean.includes('.') ? clean.slice(0, clean.lastIndexOf('.')) : clean)
    .replace(/[\\/:*?"<>|.]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  const short = [...stem].slice(0, 100).join('') || 'tep';
  return `${short}.${ext}`;
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
 * type Kyso found (stored extension or `bin`), whether the OS opener may open it, and the
 * name a saved copy gets (exchange:saveAttachment).
 */
export function receivedFileView<F extends { name: string; path: string }>(f: F): F & { displayName: string; kind: string; openable: boolean; saveName: string } {
  const kind = storedKind(f.path);
  return { ...f, displayName: visibleName(f.name), kind, openable: isOpenableDocument(f.path), saveName: safeFileName(f.name, kind) };
}

/**
 * A received name as the UI shows it: the real name, with what would hide its shape made
 * visible: format and control characters as `⟨U+202E⟩`, trailing spaces as `␠`.
 */
export function visibleName(name: string): string {
  const marked = name.replace(/[\p{Cf}\p{Cc}\p{Co}\p{Cs}\u2028\u2029]/gu, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
  return marked.replace(/[ \u00a0]+$/u, (s) => '␠'.repeat(s.length));
}
